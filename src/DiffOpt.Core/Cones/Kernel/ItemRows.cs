using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The rows of one item's scaled Â (m × n, row-major) for the products of <see cref="HomogeneousItemSolver"/>'s
/// iteration: dense (<see cref="DenseRows"/>: rows with one nonzero as scalars, the others through BLAS's dgemv when
/// <c>native</c>), or, on the sparse KKT path, the rows' nonzeros (<see cref="ItemProgram.ScaledSparseA"/>), so that Âx
/// and Âᵀz cost the nonzeros rather than m·n. The dense rows are shared with the KKT solver (<see cref="ItemKkt.Rows"/>),
/// which binds the same Â, so that an item's rows are split once; without them (sparse KKT path) Â must be held by its
/// nonzeros.
/// </summary>
internal sealed class ItemRows(int m, DenseRows? dense)
{
    private readonly DenseRows? _dense = dense;
    private CompressedRows? _sparse;

    /// <summary>Reads the rows of <paramref name="data"/>'s Â: its nonzeros when it holds them, else the dense matrix.</summary>
    public void Bind(ItemProgram data)
    {
        _sparse = data.ScaledSparseA;
        if (_sparse is not null) return;
        if (_dense is null) throw new InvalidOperationException("A dense Â needs the dense KKT path's rows.");
        _dense.Bind(data);
    }

    /// <summary>y = α·Âx.</summary>
    public void Multiply(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (_sparse is null)
        {
            _dense!.Multiply(alpha, x, 0, y);
            return;
        }
        for (int i = 0; i < m; i++) y[i] = alpha * _sparse.Dot(i, x);
    }

    /// <summary>
    /// y = Âx and target += Âᵀz, rounded as by <see cref="Multiply"/> and <see cref="AddTransposed"/>: with one pass over
    /// the dense rows (<see cref="DenseRows.MultiplyBoth"/>).
    /// </summary>
    public void MultiplyBoth(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> z, Span<double> target)
    {
        if (_sparse is not null)
        {
            Multiply(1, x, y);
            AddTransposed(z, target);
            return;
        }
        // 0 + Âx rounds as Âx (up to the sign of a zero).
        y[..m].Clear();
        _dense!.MultiplyBoth(1, x, y, z, target);
    }

    /// <summary>target += Âᵀz.</summary>
    public void AddTransposed(ReadOnlySpan<double> z, Span<double> target)
    {
        if (_sparse is null)
        {
            _dense!.MultiplyTransposed(1, z, 1, target);
            return;
        }
        for (int i = 0; i < m; i++) _sparse.AddScaled(i, z[i], target);
    }
}
