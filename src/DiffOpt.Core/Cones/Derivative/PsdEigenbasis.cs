namespace DiffOpt.Cones;

/// <summary>
/// The eigendecomposition of a PSD cone's block of D = DΠ(v) in closed form, in place of Jacobi sweeps on its order
/// r = k(k + 1)/2: with smat(v) = VΛVᵀ, D acts on the symmetric matrices V E_ab Vᵀ (E_aa = e_a e_aᵀ,
/// E_ab = (e_a e_bᵀ + e_b e_aᵀ)/√2 for a &lt; b) as the weights W_ab of <see cref="PsdOperator"/> (CONES.md; Malick and
/// Sendov 2006). Those matrices are orthonormal in the Frobenius inner product, which svec preserves, so the columns
/// svec(V E_ab Vᵀ) are an orthonormal eigenbasis of the block with eigenvalues W_ab.
/// </summary>
internal static class PsdEigenbasis
{
    /// <summary>
    /// λ (length r) and Q (row-major r × r, eigenvectors as columns, in the order of the pairs a ≤ b) of the PSD block
    /// for eigenvectors <paramref name="v"/> (row-major k × k, as columns) and weights <paramref name="w"/> (row-major
    /// k × k), in svec's layout (<see cref="Svec"/>: the lower triangle column by column, off-diagonal entries times √2);
    /// false when an entry of V or W is not finite.
    /// </summary>
    public static bool TryDecompose(ReadOnlySpan<double> v, ReadOnlySpan<double> w, int k, Span<double> values, Span<double> vectors)
    {
        foreach (double x in v[..(k * k)])
            if (!double.IsFinite(x)) return false;
        foreach (double x in w[..(k * k)])
            if (!double.IsFinite(x)) return false;
        int r = k * (k + 1) / 2;
        double root2 = Math.Sqrt(2);
        int column = 0;
        for (int a = 0; a < k; a++)
            for (int b = a; b < k; b++, column++)
            {
                values[column] = w[a * k + b];
                // Entry (i, j) of V E_ab Vᵀ: V_ia V_jb for a = b, (V_ia V_jb + V_ib V_ja)/√2 otherwise; svec scales it by √2 off
                // the diagonal, so an off-diagonal entry of a pair a < b is V_ia V_jb + V_ib V_ja.
                int row = 0;
                for (int j = 0; j < k; j++)
                    for (int i = j; i < k; i++, row++)
                    {
                        double via = v[i * k + a], vjb = v[j * k + b];
                        double entry = a == b
                            ? (i == j ? via * vjb : root2 * via * vjb)
                            : (i == j ? root2 * via * vjb : via * vjb + v[i * k + b] * v[j * k + a]);
                        vectors[row * r + column] = entry;
                    }
            }
        return true;
    }
}
