using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        Regularized = 0;
        // The loops index without bounds checks, as Solve does: y and d hold order entries, and the symbolic analysis's
        // arrays are consistent (positions within L's storage and C's, rows and columns in [0, order)) by construction.
        ref double ry = ref MemoryMarshal.GetArrayDataReference(_y);
        ref double rl = ref MemoryMarshal.GetArrayDataReference(_l);
        ref double rc = ref MemoryMarshal.GetArrayDataReference(_c);
        ref double rd = ref MemoryMarshal.GetArrayDataReference(_d);
        ref int cStarts = ref MemoryMarshal.GetArrayDataReference(s.CStarts);
        ref int cRows = ref MemoryMarshal.GetArrayDataReference(s.CRows);
        ref int rowStarts = ref MemoryMarshal.GetArrayDataReference(s.RowStarts);
        ref int rowColumns = ref MemoryMarshal.GetArrayDataReference(s.RowColumns);
        ref int rowPositions = ref MemoryMarshal.GetArrayDataReference(s.RowPositions);
        ref int lStarts = ref MemoryMarshal.GetArrayDataReference(s.LStarts);
        ref int lRows = ref MemoryMarshal.GetArrayDataReference(s.LRows);
        for (int k = 0; k < s.Order; k++)
        {
            int cEnd = Unsafe.Add(ref cStarts, k + 1);
            for (int p = Unsafe.Add(ref cStarts, k); p < cEnd; p++) Unsafe.Add(ref ry, Unsafe.Add(ref cRows, p)) += Unsafe.Add(ref rc, p);
            double d = Unsafe.Add(ref ry, k);
            Unsafe.Add(ref ry, k) = 0;
            // Solve L(0:k, 0:k)·(D l_k) = C(0:k, k) over the row's pattern; entries of column i above row k come first.
            int rowEnd = Unsafe.Add(ref rowStarts, k + 1);
            for (int t = Unsafe.Add(ref rowStarts, k); t < rowEnd; t++)
            {
                int i = Unsafe.Add(ref rowColumns, t), end = Unsafe.Add(ref rowPositions, t);
                double yi = Unsafe.Add(ref ry, i);
                Unsafe.Add(ref ry, i) = 0;
                for (int p = Unsafe.Add(ref lStarts, i); p < end; p++) Unsafe.Add(ref ry, Unsafe.Add(ref lRows, p)) -= Unsafe.Add(ref rl, p) * yi;
                double lki = yi / Unsafe.Add(ref rd, i);
                d -= lki * yi;
                Unsafe.Add(ref rl, end) = lki;
            }
            // Row k's steps have zeroed every entry of y they touched (row k's pattern and k), so a factorisation that
            // stops here leaves the workspace clean for the next (a solver is reused for other items).
            if (!double.IsFinite(d)) return false;
            double sign = s.Positive[k] ? 1 : -1;
            if (!(sign * d > QuasiDefiniteLdl.PivotTolerance))
            {
                d = sign * QuasiDefiniteLdl.DynamicRegularization;
                Regularized++;
            }
            Unsafe.Add(ref rd, k) = d;
        }
        return true;
    }

    /// <summary>Overwrites <paramref name="x"/> (length N, original order) with K̃⁻¹x for the factorised K̃.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong length.</exception>
    public void Solve(Span<double> x)
    {
        var s = _symbolic;
        int order = s.Order;
        if (x.Length != order) throw new ArgumentException($"Expected {order} values, got {x.Length}.", nameof(x));
        // The loops index the pattern's arrays without bounds checks: every index comes from the symbolic analysis,
        // whose LStarts and LRows are consistent by construction and whose rows lie in [0, order).
        ref double w = ref MemoryMarshal.GetArrayDataReference(_y);
        ref double l = ref MemoryMarshal.GetArrayDataReference(_l);
        ref double d = ref MemoryMarshal.GetArrayDataReference(_d);
        ref int starts = ref MemoryMarshal.GetArrayDataReference(s.LStarts);
        ref int rows = ref MemoryMarshal.GetArrayDataReference(s.LRows);
        ref int permutation = ref MemoryMarshal.GetArrayDataReference(s.Permutation);
        ref double v = ref MemoryMarshal.GetReference(x);
        for (int k = 0; k < order; k++) Unsafe.Add(ref w, k) = Unsafe.Add(ref v, Unsafe.Add(ref permutation, k));
        for (int i = 0; i < order; i++)
        {
            double wi = Unsafe.Add(ref w, i);
            if (wi == 0) continue;
            int end = Unsafe.Add(ref starts, i + 1);
            for (int p = Unsafe.Add(ref starts, i); p < end; p++) Unsafe.Add(ref w, Unsafe.Add(ref rows, p)) -= Unsafe.Add(ref l, p) * wi;
        }
        for (int i = 0; i < order; i++) Unsafe.Add(ref w, i) /= Unsafe.Add(ref d, i);
        for (int i = order - 1; i >= 0; i--)
        {
            double wi = Unsafe.Add(ref w, i);
            int end = Unsafe.Add(ref starts, i + 1);
            for (int p = Unsafe.Add(ref starts, i); p < end; p++) wi -= Unsafe.Add(ref l, p) * Unsafe.Add(ref w, Unsafe.Add(ref rows, p));
            Unsafe.Add(ref w, i) = wi;
        }
        for (int k = 0; k < order; k++)
        {
            Unsafe.Add(ref v, Unsafe.Add(ref permutation, k)) = Unsafe.Add(ref w, k);
            Unsafe.Add(ref w, k) = 0;
        }
    }
}
