namespace DiffOpt.LinearAlgebra;

/// <summary>
/// The inverse Cholesky factor of a 3 × 3 matrix in scalars: <see cref="SmallDense.Cholesky"/> followed by
/// <see cref="SmallDense.InvertLower"/> with the same operations in the same order (so the same bits), without their
/// loops and span slicing, which cost more than the arithmetic at this order (the exponential cone's per-triple
/// scalings, <see cref="Cones.KernelExponentialCone"/>).
/// </summary>
internal static class TripleCholesky
{
    /// <summary>
    /// Overwrites the row-major 3 × 3 <paramref name="a"/> with L⁻¹ for A = LLᵀ (upper triangle zeroed); false, with
    /// <paramref name="a"/> partly overwritten, where <see cref="SmallDense.Cholesky"/> fails.
    /// </summary>
    public static bool InverseFactor(Span<double> a)
    {
        if (a.Length < 9) throw new ArgumentException("A 3 × 3 matrix needs 9 entries.", nameof(a));
        // Cholesky, column by column; each "0 + p" is the empty-prefix sum of SmallDense's dot products (it turns −0 into +0).
        double d = a[0] - 0.0;
        if (!(d > 0) || !double.IsFinite(d)) return false;
        double l00 = Math.Sqrt(d);
        double l10 = (a[3] - 0.0) / l00, l20 = (a[6] - 0.0) / l00;
        double sum = 0;
        sum += l10 * l10;
        d = a[4] - sum;
        if (!(d > 0) || !double.IsFinite(d)) return false;
        double l11 = Math.Sqrt(d);
        sum = 0;
        sum += l20 * l10;
        double l21 = (a[7] - sum) / l11;
        sum = 0;
        sum += l20 * l20;
        sum += l21 * l21;
        d = a[8] - sum;
        if (!(d > 0) || !double.IsFinite(d)) return false;
        double l22 = Math.Sqrt(d);
        // L⁻¹ by columns, as SmallDense.InvertLower: each column's diagonal first, then the entries below it.
        double i00 = 1 / l00;
        sum = 0;
        sum += l10 * i00;
        double i10 = -sum / l11;
        sum = 0;
        sum += l20 * i00;
        sum += l21 * i10;
        double i20 = -sum / l22;
        double i11 = 1 / l11;
        sum = 0;
        sum += l21 * i11;
        double i21 = -sum / l22;
        double i22 = 1 / l22;
        a[0] = i00;
        a[1] = a[2] = a[5] = 0;
        a[3] = i10;
        a[4] = i11;
        a[6] = i20;
        a[7] = i21;
        a[8] = i22;
        return true;
    }
}
