namespace DiffOpt.Cones;

/// <summary>
/// The svec matrix of a congruence X ↦ MXMᵀ on k × k symmetric matrices (the symmetric Kronecker product M ⊛ M of
/// Alizadeh, Haeberly and Overton, SIAM J. Optim. 8, 1998; Todd, Toh and Tütüncü, SIAM J. Optim. 8, 1998), entry by
/// entry in O(k⁴) rather than as k(k + 1)/2 congruences of basis matrices in O(k⁵).
/// </summary>
internal static class SvecCongruence
{
    private static readonly double Root2 = Math.Sqrt(2), InverseRoot2 = 1 / Math.Sqrt(2);

    /// <summary>
    /// <paramref name="result"/> (n × n row-major, n = k(k + 1)/2) with result·svec(X) = svec(MXMᵀ) for the k × k
    /// row-major <paramref name="m"/>. Row p ↔ (i, j) and column q ↔ (a, b), lower triangles column by column (i ≥ j,
    /// a ≥ b): smat(e_q) = β_q(E_ab + E_ba) with β_q = 1/√2 off the diagonal and ½ on it, so
    /// (M·smat(e_q)·Mᵀ)_ij = β_q(M_ia·M_jb + M_ib·M_ja), and svec scales row p by α_p = √2 off the diagonal, 1 on it.
    /// </summary>
    public static void Matrix(ReadOnlySpan<double> m, int k, Span<double> result)
    {
        int n = k * (k + 1) / 2;
        for (int j = 0, p = 0; j < k; j++)
        {
            var mj = m.Slice(j * k, k);
            for (int i = j; i < k; i++, p++)
            {
                var mi = m.Slice(i * k, k);
                var row = result.Slice(p * n, n);
                // α_p·β_q: α_p/2 on the diagonal columns (whose two terms are equal), α_p/√2 off it.
                double alpha = i == j ? 1 : Root2, offDiagonal = i == j ? InverseRoot2 : 1;
                for (int b = 0, q = 0; b < k; b++)
                {
                    double mib = mi[b], mjb = mj[b];
                    row[q++] = alpha * mib * mjb;
                    for (int a = b + 1; a < k; a++, q++) row[q] = offDiagonal * (mi[a] * mjb + mib * mj[a]);
                }
            }
        }
    }
}
