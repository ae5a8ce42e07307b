using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The rows of one item's scaled Â (m × n, row-major) for the products of <see cref="HomogeneousItemSolver"/>'s
/// iteration: dense spans, or, on the sparse KKT path, the rows' nonzeros (compressed sparse rows built once per item),
/// so that Âx and Âᵀz cost the nonzeros rather than m·n.
/// </summary>
internal sealed class ItemRows
{
    private readonly double[] _dense;
    private readonly int _n;
    private readonly CompressedRows? _sparse;

    /// <summary>The rows of <paramref name="a"/> (m × n); compressed when <paramref name="sparse"/>.</summary>
    public ItemRows(double[] a, int m, int n, bool sparse)
    {
        _dense = a;
        _n = n;
        if (sparse) _sparse = CompressedRows.FromDense(a, m, n);
    }

    /// <summary>Âᵢ·x.</summary>
    public double Dot(int i, ReadOnlySpan<double> x) =>
        _sparse is null ? SpanKernels.Dot(_dense.AsSpan(i * _n, _n), x) : _sparse.Dot(i, x);

    /// <summary>target += alpha·Âᵢᵀ.</summary>
    public void AddScaled(int i, double alpha, Span<double> target)
    {
        if (_sparse is null) SpanKernels.AddScaled(alpha, _dense.AsSpan(i * _n, _n), target);
        else _sparse.AddScaled(i, alpha, target);
    }
}
