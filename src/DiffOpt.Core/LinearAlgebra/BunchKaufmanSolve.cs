using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// The solve with a Bunch–Kaufman factorisation A = UDUᵀ from LAPACK's dsytrf (uplo 'U', column-major, 1-based pivots;
/// <see cref="Native.NativeLu.FactorSymmetric"/>) for one right-hand side, in managed code: the steps of LAPACK's
/// dsytrs (interchange, rank-one update with a column of U, division by a 1 × 1 or 2 × 2 block of D, then the
/// transposed sweep; Anderson et al., "LAPACK Users' Guide", 3rd ed., §2.4.2), without its per-column BLAS calls,
/// which at the cone kernel's orders (n + m ≈ 100) cost more than the arithmetic.
/// </summary>
internal static class BunchKaufmanSolve
{
    /// <summary>Overwrites <paramref name="b"/> with A⁻¹b for the factors and pivots of dsytrf('U') of order <paramref name="n"/>.</summary>
    public static void Solve(ReadOnlySpan<double> factors, ReadOnlySpan<int> pivots, int n, Span<double> b)
    {
        // U·D·y = b: columns from the last; column k of U above its diagonal is factors[k·n .. k·n + k).
        for (int k = n - 1; k >= 0;)
        {
            if (pivots[k] > 0)
            {
                Swap(b, k, pivots[k] - 1);
                SpanKernels.AddScaled(-b[k], factors.Slice(k * n, k), b[..k]);
                b[k] *= 1 / factors[k * n + k];
                k--;
                continue;
            }
            // A 2 × 2 block in rows k − 1, k.
            Swap(b, k - 1, -pivots[k] - 1);
            SpanKernels.AddScaled(-b[k], factors.Slice(k * n, k - 1), b[..(k - 1)]);
            SpanKernels.AddScaled(-b[k - 1], factors.Slice((k - 1) * n, k - 1), b[..(k - 1)]);
            double offDiagonal = factors[k * n + k - 1];
            double first = factors[(k - 1) * n + k - 1] / offDiagonal, second = factors[k * n + k] / offDiagonal;
            double denominator = first * second - 1;
            double upper = b[k - 1] / offDiagonal, lower = b[k] / offDiagonal;
            b[k - 1] = (second * upper - lower) / denominator;
            b[k] = (first * lower - upper) / denominator;
            k -= 2;
        }
        // Uᵀx = y: columns from the first.
        for (int k = 0; k < n;)
        {
            b[k] -= SpanKernels.Dot(b[..k], factors.Slice(k * n, k));
            if (pivots[k] > 0)
            {
                Swap(b, k, pivots[k] - 1);
                k++;
                continue;
            }
            b[k + 1] -= SpanKernels.Dot(b[..k], factors.Slice((k + 1) * n, k));
            Swap(b, k, -pivots[k] - 1);
            k += 2;
        }
    }

    private static void Swap(Span<double> b, int i, int j)
    {
        if (i != j) (b[i], b[j]) = (b[j], b[i]);
    }
}
