namespace DiffOpt.Numerics;

/// <summary>
/// Solves with a small row-major lower-triangular L (a Cholesky factor) in managed code: x ← L⁻¹x by rows (a dot
/// product with the solved prefix per row) and x ← L⁻ᵀx by the rows taken backwards (a scaled update of the prefix
/// per row), so both read L's rows contiguously. The cone kernel solves with its reduced KKT factor several times per
/// iteration; at order 60 a single-column MKL dtrsm (dtrsv, which also calls dgemv for its blocks) cost more than the
/// arithmetic (perf samples on the portfolio layer).
/// </summary>
internal static class SmallTriangular
{
    /// <summary>The largest order solved here; <see cref="Native.NativeBlas.SolveLower"/> above (larger orders were not measured).</summary>
    public const int MaxOrder = 96;

    /// <summary>
    /// Overwrites <paramref name="x"/> (length n) with L⁻¹x, or L⁻ᵀx when <paramref name="transpose"/>, for the row-major
    /// lower-triangular L of order n and row length <paramref name="lda"/> (its upper part is not read).
    /// </summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, int lda, bool transpose, Span<double> x)
    {
        if (l.Length < (n == 0 ? 0 : (n - 1) * lda + n) || x.Length < n) throw new ArgumentException("The spans are shorter than the matrix's shape.");
        if (!transpose)
        {
            // Lx = b: x_i = (b_i − L_{i,<i}·x_{<i}) / L_ii.
            for (int i = 0; i < n; i++)
                x[i] = (x[i] - SpanKernels.Dot(l.Slice(i * lda, i), x[..i])) / l[i * lda + i];
            return;
        }
        // Lᵀx = b, backwards: x_i = b_i / L_ii once the later rows are done, then b_{<i} −= x_i·L_{i,<i}.
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = x[i] / l[i * lda + i];
            x[i] = xi;
            SpanKernels.AddScaled(-xi, l.Slice(i * lda, i), x[..i]);
        }
    }
}
