namespace DiffOpt.Cones;

/// <summary>
/// The eigendecomposition of a second-order cone's block of D = DΠ(v) in closed form, in place of Jacobi sweeps. The
/// block is M = [a, bŵᵀ; bŵ, cI + eŵŵᵀ] (‖ŵ‖ = 1, <see cref="SecondOrderOperator"/>): it maps span{e₀, (0, ŵ)} to
/// itself as the 2 × 2 matrix [a, b; b, c + e] and is c on the r − 2 directions (0, h) with h ⊥ ŵ. Those h are
/// columns 2, …, r − 1 of the Householder reflection H = I − 2wwᵀ/(wᵀw), w = ŵ + sign(ŵ₁)e₁, which maps e₁ to
/// −sign(ŵ₁)ŵ (Golub and Van Loan, "Matrix Computations", §5.1.2), so they are orthonormal and orthogonal to ŵ.
/// </summary>
internal static class SecondOrderEigenbasis
{
    /// <summary>
    /// λ and Q (row-major r × r, eigenvectors as columns) of the symmetric r × r <paramref name="block"/> of a
    /// second-order cone, read from its first column (bŵ), ŵᵀM₁₁ŵ (c + e) and the trace of M₁₁ ((r − 1)c + e); false,
    /// with nothing written, when its first column is zero below the corner (ŵ unknown: the caller takes Jacobi sweeps)
    /// or an entry is not finite.
    /// </summary>
    public static bool TryDecompose(ReadOnlySpan<double> block, int r, Span<double> values, Span<double> vectors)
    {
        int k = r - 1;
        if (k < 1) return false;
        double beta = 0;
        for (int p = 0; p < k; p++) beta = double.Hypot(beta, block[(p + 1) * r]);
        if (!(beta > 0) || !double.IsFinite(beta)) return false;
        Span<double> w = k <= 64 ? stackalloc double[k] : new double[k];
        for (int p = 0; p < k; p++) w[p] = block[(p + 1) * r] / beta;
        // s = ŵᵀM₁₁ŵ and trace(M₁₁).
        double s = 0, trace = 0;
        for (int p = 0; p < k; p++)
        {
            double row = 0;
            for (int q = 0; q < k; q++) row += block[(p + 1) * r + q + 1] * w[q];
            s += w[p] * row;
            trace += block[(p + 1) * r + p + 1];
        }
        double alpha = block[0];
        if (!double.IsFinite(s) || !double.IsFinite(trace) || !double.IsFinite(alpha)) return false;
        // The 2 × 2 [α, β; β, s] by one Jacobi rotation (Numerical Recipes §11.1): eigenvalues α − tβ and s + tβ.
        double theta = (s - alpha) / (2 * beta);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double cosine = 1 / Math.Sqrt(t * t + 1), sine = t * cosine;
        vectors[..(r * r)].Clear();
        values[0] = alpha - t * beta;
        values[1] = s + t * beta;
        vectors[0] = cosine;
        vectors[1] = sine;
        for (int p = 0; p < k; p++)
        {
            vectors[(p + 1) * r] = -sine * w[p];
            vectors[(p + 1) * r + 1] = cosine * w[p];
        }
        if (k == 1) return true;
        double c = (trace - s) / (k - 1);
        // H's columns 2, …, k (u's indices 1, …, k − 1): e_j − (2/wᵀw)·w·w_j with w = ŵ + sign(ŵ₁)e₁.
        double sign = w[0] >= 0 ? 1 : -1;
        w[0] += sign;
        double norm = 0;
        foreach (double v in w) norm += v * v;
        double scale = 2 / norm;   // wᵀw = 2(1 + |ŵ₁|) ≥ 2
        for (int j = 1; j < k; j++)
        {
            values[j + 1] = c;
            for (int p = 0; p < k; p++) vectors[(p + 1) * r + j + 1] = (p == j ? 1 : 0) - scale * w[p] * w[j];
        }
        return true;
    }
}
