namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Numeric sparse LDLᵀ of a symmetric quasi-definite matrix with the pattern analysed by
/// <see cref="SparseLdlSymbolic"/> (one instance per item or thread; the symbolic analysis is shared): PKPᵀ = LDLᵀ
/// by the up-looking method (row k of L by a sparse triangular solve with the rows above; Davis, "Direct Methods for
/// Sparse Linear Systems", §4.8). Quasi-definite matrices factor without pivoting for every symmetric permutation
/// (Vanderbei 1995), so the ordering is free to reduce fill. A pivot of the wrong sign or of magnitude at most
/// <see cref="QuasiDefiniteLdl.PivotTolerance"/> is replaced by ±<see cref="QuasiDefiniteLdl.DynamicRegularization"/>
/// and counted in <see cref="Regularized"/>, as the dense <see cref="QuasiDefiniteLdl"/> does; the caller refines.
/// </summary>
internal sealed class SparseLdl
{
    private readonly SparseLdlSymbolic _symbolic;
    private readonly double[] _c, _l, _d, _y;

    /// <summary>Workspace for factorisations with the pattern of <paramref name="symbolic"/>.</summary>
    public SparseLdl(SparseLdlSymbolic symbolic)
    {
        _symbolic = symbolic ?? throw new ArgumentException("The symbolic analysis is required.", nameof(symbolic));
        _c = new double[symbolic.Entries];
        _l = new double[symbolic.FactorEntries];
        _d = new double[symbolic.Order];
        _y = new double[symbolic.Order];
    }

    /// <summary>The shared symbolic analysis.</summary>
    public SparseLdlSymbolic Symbolic => _symbolic;

    /// <summary>Pivots replaced by the dynamic regularisation in the last factorisation.</summary>
    public int Regularized { get; private set; }

    /// <summary>
    /// Factorises the matrix whose upper-triangle values are <paramref name="values"/>, in the entry order of the
    /// pattern given to the symbolic analysis. Returns false when an entry or pivot is not finite.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> has the wrong length.</exception>
    public bool Factor(ReadOnlySpan<double> values)
    {
        var s = _symbolic;
        if (values.Length != s.Entries)
            throw new ArgumentException($"Expected {s.Entries} values, got {values.Length}.", nameof(values));
        for (int e = 0; e < values.Length; e++) _c[s.PositionOf(e)] = values[e];
        var y = _y;
        Regularized = 0;
        for (int k = 0; k < s.Order; k++)
        {
            for (int p = s.CStarts[k]; p < s.CStarts[k + 1]; p++) y[s.CRows[p]] += _c[p];
            double d = y[k];
            y[k] = 0;
            // Solve L(0:k, 0:k)·(D l_k) = C(0:k, k) over the row's pattern; entries of column i above row k come first.
            for (int t = s.RowStarts[k]; t < s.RowStarts[k + 1]; t++)
            {
                int i = s.RowColumns[t], end = s.RowPositions[t];
                double yi = y[i];
                y[i] = 0;
                for (int p = s.LStarts[i]; p < end; p++) y[s.LRows[p]] -= _l[p] * yi;
                double lki = yi / _d[i];
                d -= lki * yi;
                _l[end] = lki;
            }
            if (!double.IsFinite(d)) return false;
            double sign = s.Positive[k] ? 1 : -1;
            if (!(sign * d > QuasiDefiniteLdl.PivotTolerance))
            {
                d = sign * QuasiDefiniteLdl.DynamicRegularization;
                Regularized++;
            }
            _d[k] = d;
        }
        return true;
    }

    /// <summary>Overwrites <paramref name="x"/> (length N, original order) with K̃⁻¹x for the factorised K̃.</summary>
    public void Solve(Span<double> x)
    {
        var s = _symbolic;
        var w = _y;
        for (int k = 0; k < s.Order; k++) w[k] = x[s.Permutation[k]];
        for (int i = 0; i < s.Order; i++)
        {
            double wi = w[i];
            if (wi != 0)
                for (int p = s.LStarts[i]; p < s.LStarts[i + 1]; p++) w[s.LRows[p]] -= _l[p] * wi;
        }
        for (int i = 0; i < s.Order; i++) w[i] /= _d[i];
        for (int i = s.Order - 1; i >= 0; i--)
        {
            double wi = w[i];
            for (int p = s.LStarts[i]; p < s.LStarts[i + 1]; p++) wi -= _l[p] * w[s.LRows[p]];
            w[i] = wi;
        }
        for (int k = 0; k < s.Order; k++)
        {
            x[s.Permutation[k]] = w[k];
            w[k] = 0;
        }
    }
}
