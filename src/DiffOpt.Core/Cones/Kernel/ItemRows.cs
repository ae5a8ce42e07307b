using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The rows of one item's scaled Â (m × n, row-major) for the products of <see cref="HomogeneousItemSolver"/>'s
/// iteration: dense (through BLAS's dgemv when <c>native</c>), or, on the sparse KKT path, the rows' nonzeros
/// (<see cref="ItemProgram.ScaledSparseA"/>), so that Âx and Âᵀz cost the nonzeros rather than m·n.
/// </summary>
internal sealed class ItemRows
{
    private readonly double[]? _dense;
    private readonly int _m, _n;
    private readonly bool _native;
    private readonly CompressedRows? _sparse;

    /// <summary>The rows of <paramref name="data"/>'s Â: its nonzeros when it holds them, else dense, multiplied by BLAS when <paramref name="native"/>.</summary>
    public ItemRows(ItemProgram data, bool native)
    {
        _sparse = data.ScaledSparseA;
        _dense = _sparse is null ? data.DenseScaledA : null;
        (_m, _n, _native) = (data.Rows, data.Variables, native);
    }

    /// <summary>y = α·Âx.</summary>
    public void Multiply(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (_sparse is null)
        {
            DenseProducts.Multiply(_dense!, _m, _n, transpose: false, alpha, x, 0, y, _native);
            return;
        }
        for (int i = 0; i < _m; i++) y[i] = alpha * _sparse.Dot(i, x);
    }

    /// <summary>target += Âᵀz.</summary>
    public void AddTransposed(ReadOnlySpan<double> z, Span<double> target)
    {
        if (_sparse is null)
        {
            DenseProducts.Multiply(_dense!, _m, _n, transpose: true, 1, z, 1, target, _native);
            return;
        }
        for (int i = 0; i < _m; i++) _sparse.AddScaled(i, z[i], target);
    }
}
