namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Hager's lower bound on ‖A⁻¹‖₁ of a factorised square matrix from a few solves with A and Aᵀ (Higham, "Accuracy and
/// Stability of Numerical Algorithms", 2002, Alg. 15.3; usually within a factor 3 of the norm).
/// </summary>
internal static class InverseNormEstimate
{
    /// <summary>Iterations at most.</summary>
    internal const int Steps = 5;

    /// <summary>Overwrites b with A⁻¹b, or A⁻ᵀb when <paramref name="transpose"/>.</summary>
    public delegate void Solve(Span<double> b, bool transpose);

    /// <summary>The estimate for a matrix of order <paramref name="n"/> whose solves <paramref name="solve"/> applies.</summary>
    public static double Of(int n, Solve solve)
    {
        var x = new double[n];
        var z = new double[n];
        Array.Fill(x, 1.0 / n);
        double estimate = 0;
        int previous = -1;
        for (int step = 0; step < Steps; step++)
        {
            solve(x, transpose: false);
            double norm = 0;
            foreach (double v in x) norm += Math.Abs(v);
            if (step > 0 && norm <= estimate) break;
            estimate = norm;
            for (int k = 0; k < n; k++) z[k] = x[k] >= 0 ? 1 : -1;
            solve(z, transpose: true);
            int best = 0;
            for (int k = 1; k < n; k++)
                if (Math.Abs(z[k]) > Math.Abs(z[best])) best = k;
            // zᵀx for the current x (e_previous, or the uniform start) bounds what another step can gain.
            double zx = previous < 0 ? z.Sum() / n : z[previous];
            if (step > 0 && Math.Abs(z[best]) <= zx) break;
            Array.Clear(x);
            x[best] = 1;
            previous = best;
        }
        return estimate;
    }
}
