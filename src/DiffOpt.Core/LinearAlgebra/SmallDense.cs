using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Dense routines for the small row-major matrices of one batch item (cone blocks of a few to a few dozen rows):
/// Cholesky, triangular inverse, products, and Jacobi eigen- and singular-value decompositions, which are accurate
/// to a few ulps relative to the largest value for any order (Demmel and Veselić, SIAM J. Matrix Anal. Appl. 13, 1992),
/// and eigenvalues alone by the cheaper tridiagonal QL method (<see cref="SymmetricEigenvalues"/>).
/// </summary>
internal static class SmallDense
{
    /// <summary>Jacobi sweeps at most (convergence is quadratic; orders below 20 need 6–10).</summary>
    internal const int MaxSweeps = 40;

    /// <summary>A = LLᵀ in place (lower triangle holds L, the upper is zeroed); false unless A is numerically positive definite.</summary>
    public static bool Cholesky(Span<double> a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            var rowJ = a.Slice(j * n, j);
            double d = a[j * n + j] - SpanKernels.Dot(rowJ, rowJ);
            if (!(d > 0) || !double.IsFinite(d)) return false;
            double root = Math.Sqrt(d);
            a[j * n + j] = root;
            for (int i = j + 1; i < n; i++)
                a[i * n + j] = (a[i * n + j] - SpanKernels.Dot(a.Slice(i * n, j), rowJ)) / root;
            for (int k = j + 1; k < n; k++) a[j * n + k] = 0;
        }
        return true;
    }

    /// <summary>Overwrites the lower-triangular L (row-major, upper part zero) with L⁻¹.</summary>
    public static void InvertLower(Span<double> l, int n)
    {
        for (int j = 0; j < n; j++)
        {
            l[j * n + j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
            {
                double sum = 0;
                for (int k = j; k < i; k++) sum += l[i * n + k] * l[k * n + j];
                l[i * n + j] = -sum / l[i * n + i];
            }
        }
    }

    /// <summary>C = op(A)·op(B) for n×n matrices, op the transpose when the flag is set; C must not alias A or B.</summary>
    public static void Multiply(ReadOnlySpan<double> a, bool transposeA, ReadOnlySpan<double> b, bool transposeB, Span<double> c, int n)
    {
        int size = n * n;
        a = a[..size];
        b = b[..size];
        c = c[..size];
        // Each case's inner loop runs along contiguous rows: dot products of rows for A·Bᵀ, row updates otherwise.
        if (transposeB && !transposeA)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) c[i * n + j] = SpanKernels.Dot(a.Slice(i * n, n), b.Slice(j * n, n));
            return;
        }
        if (transposeB)
        {
            // AᵀBᵀ = (BA)ᵀ: C_ij = Σₖ B_jk·A_ki.
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++) sum += b[j * n + k] * a[k * n + i];
                    c[i * n + j] = sum;
                }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            var row = c.Slice(i * n, n);
            row.Clear();
            for (int k = 0; k < n; k++) SpanKernels.AddScaled(transposeA ? a[k * n + i] : a[i * n + k], b.Slice(k * n, n), row);
        }
    }

    /// <summary>
    /// Eigenvalues of the symmetric n×n matrix <paramref name="a"/> (destroyed) by cyclic Jacobi rotations, into
    /// <paramref name="values"/>; with <paramref name="vectors"/> (n×n) the eigenvectors as its columns. False if not finite.
    /// </summary>
    public static bool SymmetricEigen(Span<double> a, int n, Span<double> values, Span<double> vectors)
    {
        if (!SpanKernels.AllFinite(a[..(n * n)])) return false;
        bool withVectors = !vectors.IsEmpty;
        if (withVectors)
        {
            vectors[..(n * n)].Clear();
            for (int i = 0; i < n; i++) vectors[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                diagonal += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-32 * diagonal || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    // A ← JᵀAJ on the symmetric A: a_pq becomes 0, a_pp and a_qq move by ∓t·a_pq (Numerical Recipes §11.1),
                    // and rows/columns p and q of the other entries rotate (their mirror images written alike).
                    a[p * n + p] -= t * apq;
                    a[q * n + q] += t * apq;
                    a[p * n + q] = 0;
                    a[q * n + p] = 0;
                    for (int k = 0; k < n; k++)
                    {
                        if (k == p || k == q) continue;
                        double akp = a[k * n + p], akq = a[k * n + q];
                        double rotatedP = c * akp - s * akq, rotatedQ = s * akp + c * akq;
                        a[k * n + p] = rotatedP;
                        a[p * n + k] = rotatedP;
                        a[k * n + q] = rotatedQ;
                        a[q * n + k] = rotatedQ;
                    }
                    if (!withVectors) continue;
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = vectors[k * n + p], vkq = vectors[k * n + q];
                        vectors[k * n + p] = c * vkp - s * vkq;
                        vectors[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        return true;
    }

    /// <summary>
    /// Eigenvalues (unordered) of the symmetric n×n matrix <paramref name="a"/> (destroyed; its lower triangle is read)
    /// by Householder reduction to tridiagonal form and the implicit QL method with Wilkinson shifts (Golub and Van Loan,
    /// Matrix Computations, §8.3); <paramref name="work"/> holds n entries. About n³ operations against the Jacobi sweeps'
    /// ~6n³, with errors of a few ulps of ‖A‖. False if not finite or if QL does not converge.
    /// </summary>
    public static bool SymmetricEigenvalues(Span<double> a, int n, Span<double> values, Span<double> work)
    {
        if (!SpanKernels.AllFinite(a[..(n * n)])) return false;
        var d = values[..n];
        var e = work[..n];
        Tridiagonalize(a, n, d, e);
        return TridiagonalQl(d, e, n);
    }

    /// <summary>
    /// QᵀAQ = T for a product Q of Householder reflections: T's diagonal into d, its subdiagonal T(i+1, i) into e[i]
    /// (e[n−1] = 0). Each reflection P = I − βvvᵀ, β = 2/vᵀv, maps column k below the diagonal to (α, 0, …); the trailing
    /// block becomes A − vwᵀ − wvᵀ with p = βAv and w = p − (βvᵀp/2)v.
    /// </summary>
    private static void Tridiagonalize(Span<double> a, int n, Span<double> d, Span<double> e)
    {
        Span<double> v = stackalloc double[n], p = stackalloc double[n];
        for (int k = 0; k + 2 < n; k++)
        {
            int m = n - k - 1;                     // the trailing block's order; its rows/columns are k + 1 + i
            double norm2 = 0;
            for (int i = 0; i < m; i++)
            {
                v[i] = a[(k + 1 + i) * n + k];
                norm2 += v[i] * v[i];
            }
            d[k] = a[k * n + k];
            double norm = Math.Sqrt(norm2);
            if (norm == 0)
            {
                e[k] = 0;
                continue;
            }
            double alpha = v[0] > 0 ? -norm : norm;
            e[k] = alpha;
            v[0] -= alpha;
            double vv = norm2 - 2 * alpha * (v[0] + alpha) + alpha * alpha;   // ‖x − αe₁‖² = ‖x‖² − 2αx₀ + α²
            double beta = 2 / vv, vp = 0;
            for (int i = 0; i < m; i++)
            {
                double sum = 0;
                for (int j = 0; j < m; j++) sum += a[(k + 1 + Math.Max(i, j)) * n + k + 1 + Math.Min(i, j)] * v[j];
                p[i] = beta * sum;
                vp += v[i] * p[i];
            }
            double half = beta * vp / 2;
            for (int i = 0; i < m; i++) p[i] -= half * v[i];
            for (int i = 0; i < m; i++)
                for (int j = 0; j <= i; j++) a[(k + 1 + i) * n + k + 1 + j] -= v[i] * p[j] + p[i] * v[j];
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 1) * n + n - 2];
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
    }

    /// <summary>
    /// The eigenvalues of the symmetric tridiagonal matrix (diagonal d, subdiagonal e, e[n−1] = 0) into d by implicit QL
    /// steps with Wilkinson shifts, each a chase of plane rotations from the bottom of the unreduced block; false if some
    /// eigenvalue takes more than <see cref="MaxSweeps"/> steps.
    /// </summary>
    private static bool TridiagonalQl(Span<double> d, Span<double> e, int n)
    {
        for (int l = 0; l < n; l++)
        {
            for (int step = 0; ; step++)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double scale = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= 1e-16 * scale || Math.Abs(e[m]) == 0) break;
                }
                if (m == l) break;
                if (step == MaxSweeps) return false;
                // Wilkinson shift: the eigenvalue of the leading 2 × 2 block nearer d[l].
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Norm(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double s = 1, c = 1, shift = 0;
                int i = m - 1;
                for (; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Norm(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // The block split: deflate and restart from l.
                        d[i + 1] -= shift;
                        e[m] = 0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - shift;
                    r = (d[i] - g) * s + 2 * c * b;
                    shift = s * r;
                    d[i + 1] = g + shift;
                    g = c * r - b;
                }
                if (i >= l) continue;
                d[l] -= shift;
                e[l] = g;
                e[m] = 0;
            }
        }
        return SpanKernels.AllFinite(d[..n]);
    }

    /// <summary>√(x² + y²), by <see cref="double.Hypot"/> (several times slower) only where the squares overflow or underflow.</summary>
    private static double Norm(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y);
        return r > 1e-150 && r < 1e150 ? r : double.Hypot(x, y);
    }

    /// <summary>
    /// The SVD M = U·diag(σ)·Vᵀ of the n×n matrix <paramref name="m"/> (overwritten by U) by one-sided Jacobi
    /// (Hestenes) rotations; <paramref name="v"/> receives V. False if not finite or some σ is 0.
    /// </summary>
    public static bool Svd(Span<double> m, int n, Span<double> sigma, Span<double> v)
    {
        if (!SpanKernels.AllFinite(m[..(n * n)])) return false;
        v[..(n * n)].Clear();
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int k = 0; k < n; k++)
                    {
                        double mp = m[k * n + p], mq = m[k * n + q];
                        alpha += mp * mp;
                        beta += mq * mq;
                        gamma += mp * mq;
                    }
                    if (Math.Abs(gamma) <= 1e-16 * Math.Sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    for (int k = 0; k < n; k++)
                    {
                        double mp = m[k * n + p], mq = m[k * n + q];
                        m[k * n + p] = c * mp - s * mq;
                        m[k * n + q] = s * mp + c * mq;
                        double vp = v[k * n + p], vq = v[k * n + q];
                        v[k * n + p] = c * vp - s * vq;
                        v[k * n + q] = s * vp + c * vq;
                    }
                }
            if (!rotated) break;
        }
        for (int j = 0; j < n; j++)
        {
            double norm = 0;
            for (int k = 0; k < n; k++) norm += m[k * n + j] * m[k * n + j];
            norm = Math.Sqrt(norm);
            if (!(norm > 0) || !double.IsFinite(norm)) return false;
            sigma[j] = norm;
            for (int k = 0; k < n; k++) m[k * n + j] /= norm;
        }
        return true;
    }
}
