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

    /// <summary>The estimate for a matrix of order <paramref name="n"/> whose solves <paramref name="solve"/> applies.</summary>
    public static double Of(int n, Solve solve)
    {
        var uniform = new double[n];
        Array.Fill(uniform, 1.0 / n);
        double estimate = FromStart(uniform, solve);
        if (n < 2 || !double.IsFinite(estimate)) return estimate;
        var alternating = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            double magnitude = 1 + (double)k / (n - 1);
            alternating[k] = k % 2 == 0 ? magnitude : -magnitude;
            total += magnitude;
        }
        for (int k = 0; k < n; k++) alternating[k] /= total;
        return Math.Max(estimate, FromStart(alternating, solve));
    }

    /// <summary>Hager's iteration from the start <paramref name="x"/> (‖x‖₁ = 1; overwritten).</summary>
    private static double FromStart(double[] x, Solve solve)
    {
        int n = x.Length;
        var start = (double[])x.Clone();
        var z = new double[n];
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
            Array.Clear(x);
            x[best] = 1;
            previous = best;
        }
        return estimate;
    }
}
