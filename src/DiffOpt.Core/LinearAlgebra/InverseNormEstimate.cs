namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Hager's lower bound on ‖A⁻¹‖₁ of a factorised square matrix from a few solves with A and Aᵀ (Higham, "Accuracy and
/// Stability of Numerical Algorithms", 2002, Alg. 15.3; usually within a factor 3 of the norm), run from two starts.
/// </summary>
/// <remarks>
/// From the uniform start alone the method is blind to a null direction orthogonal to every vector it visits: two
/// equal rows of a symmetric system make x, A⁻¹x and sign(A⁻¹x) equal in those two entries, so the direction
/// e_i − e_j that makes A singular never shows. A second run from the alternating vector
/// xₖ = (−1)ᵏ(1 + k/(n − 1)) (the vector LAPACK's xLACN2 adds for such cases; Higham §15.3) has distinct entries, so
/// it has a component along any such difference. The larger of the two estimates is returned; each is a lower bound.
/// </remarks>
internal static class InverseNormEstimate
{
    /// <summary>Iterations at most, per start.</summary>
    internal const int Steps = 5;

    /// <summary>Overwrites b with A⁻¹b, or A⁻ᵀb when <paramref name="transpose"/>.</summary>
    public delegate void Solve(Span<double> b, bool transpose);

    /// <summary>Orders up to which the estimate's four vectors live on the stack (per-item callers would otherwise allocate them per item).</summary>
    private const int StackOrder = 128;

    /// <summary>The estimate for a matrix of order <paramref name="n"/> whose solves <paramref name="solve"/> applies.</summary>
    public static double Of(int n, Solve solve)
    {
        Span<double> work = n <= StackOrder ? stackalloc double[4 * n] : new double[4 * n];
        var x = work[..n];
        var start = work.Slice(n, n);
        var z = work.Slice(2 * n, n);
        var alternating = work.Slice(3 * n, n);
        start.Fill(1.0 / n);
        double estimate = FromStart(x, start, z, solve);
        if (n < 2 || !double.IsFinite(estimate)) return estimate;
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            double magnitude = 1 + (double)k / (n - 1);
            alternating[k] = k % 2 == 0 ? magnitude : -magnitude;
            total += magnitude;
        }
        for (int k = 0; k < n; k++) alternating[k] /= total;
        return Math.Max(estimate, FromStart(x, alternating, z, solve));
    }

    /// <summary>Hager's iteration from <paramref name="start"/> (‖start‖₁ = 1; kept), with <paramref name="x"/> and <paramref name="z"/> as work space.</summary>
    private static double FromStart(Span<double> x, ReadOnlySpan<double> start, Span<double> z, Solve solve)
    {
        int n = x.Length;
        start.CopyTo(x);
        double estimate = 0;
        int previous = -1;
        for (int step = 0; step < Steps; step++)
        {
            solve(x, transpose: false);
            double norm = 0;
            foreach (double v in x) norm += Math.Abs(v);
            if (!double.IsFinite(norm)) return double.PositiveInfinity;
            if (step > 0 && norm <= estimate) break;
            estimate = norm;
            for (int k = 0; k < n; k++) z[k] = x[k] >= 0 ? 1 : -1;
            solve(z, transpose: true);
            int best = 0;
            for (int k = 1; k < n; k++)
                if (Math.Abs(z[k]) > Math.Abs(z[best])) best = k;
            // zᵀx for the current x (e_previous, or the start) bounds what another step can gain.
            double zx = 0;
            if (previous >= 0) zx = z[previous];
            else for (int k = 0; k < n; k++) zx += z[k] * start[k];
            if (step > 0 && Math.Abs(z[best]) <= zx) break;
            x.Clear();
            x[best] = 1;
            previous = best;
        }
        return estimate;
    }
}
