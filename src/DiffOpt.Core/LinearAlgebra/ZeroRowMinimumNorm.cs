using DiffOpt.Native;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// The minimum-norm least-squares solutions J⁺r and (J⁺)ᵀr = (Jᵀ)⁺r of a square J that is singular only through rows
/// that are exactly zero (a variable that no active constraint or curvature pins down, e.g. an epigraph variable of an
/// inactive constraint in a canonicalised problem). With J' the nonzero rows (k × N, full row rank),
/// J⁺r = J'ᵀ(J'J'ᵀ)⁻¹r_K and (Jᵀ)⁺r has (J'J'ᵀ)⁻¹J'r on the kept rows and 0 elsewhere: one Cholesky of the k × k Gram
/// matrix instead of an SVD. <see cref="TryCreate"/> refuses J when J' is not numerically of full row rank
/// (the Cholesky fails or its pivots spread over more than <see cref="PivotRatio"/>); callers then use the SVD.
/// </summary>
internal sealed class ZeroRowMinimumNorm
{
    /// <summary>
    /// Smallest ratio of the Gram factor's squared diagonal entries accepted (the Gram matrix squares J' 's condition
    /// number, so 1e-10 keeps J' 's below about 1e5 and the normal equations about 6 correct digits before refinement).
    /// </summary>
    internal const double PivotRatio = 1e-10;

    private readonly int _n;
    private readonly int[] _kept;
    private readonly double[] _rows;    // J', k × N row-major
    private readonly double[] _factor;  // L with J'J'ᵀ = LLᵀ, k × k
    private readonly double[] _work;

    private ZeroRowMinimumNorm(int n, int[] kept, double[] rows, double[] factor)
    {
        _n = n;
        _kept = kept;
        _rows = rows;
        _factor = factor;
        _work = new double[kept.Length];
    }

    /// <summary>The solver for the row-major N × N <paramref name="j"/>, or null when it does not apply.</summary>
    public static ZeroRowMinimumNorm? TryCreate(ReadOnlySpan<double> j, int n)
    {
        var kept = new List<int>();
        for (int r = 0; r < n; r++)
            if (j.Slice(r * n, n).ContainsAnyExcept(0.0)) kept.Add(r);
        int k = kept.Count;
        if (k == 0 || !NativeBlas.IsAvailable) return null;
        var rows = new double[k * n];
        for (int i = 0; i < k; i++) j.Slice(kept[i] * n, n).CopyTo(rows.AsSpan(i * n, n));
        var factor = new double[k * k];
        NativeBlas.GramLower(rows, k, n, n, outer: true, 1, 0, factor, k);
        if (NativeBlas.CholeskyLower(factor, k, k) != 0) return null;
        double smallest = double.PositiveInfinity, largest = 0;
        for (int i = 0; i < k; i++)
        {
            double d = factor[i * k + i] * factor[i * k + i];
            smallest = Math.Min(smallest, d);
            largest = Math.Max(largest, d);
        }
        return smallest > PivotRatio * largest && double.IsFinite(largest) ? new ZeroRowMinimumNorm(n, [.. kept], rows, factor) : null;
    }

    /// <summary>z = J⁺b, or (Jᵀ)⁺b when <paramref name="transpose"/> (b and z of length N, not aliased).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> z, bool transpose)
    {
        int n = _n, k = _kept.Length;
        var w = _work.AsSpan();
        if (transpose) NativeBlas.Gemv(_rows, k, n, n, transpose: false, 1, b, 0, w);
        else for (int i = 0; i < k; i++) w[i] = b[_kept[i]];
        NativeBlas.SolveLower(_factor, k, k, transpose: false, w);
        NativeBlas.SolveLower(_factor, k, k, transpose: true, w);
        if (!transpose)
        {
            NativeBlas.Gemv(_rows, k, n, n, transpose: true, 1, w, 0, z);
            return;
        }
        z[..n].Clear();
        for (int i = 0; i < k; i++) z[_kept[i]] = w[i];
    }
}
