using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DiffOpt.Numerics;

/// <summary>
/// Solves with a small row-major lower-triangular L (a Cholesky factor) in managed code: x ← L⁻¹x by rows (a dot
/// product with the solved prefix per row) and x ← L⁻ᵀx by the rows taken backwards (a scaled update of the prefix
/// per row), so both read L's rows contiguously. The cone kernel solves with its reduced KKT factor several times per
/// iteration; at order 60 a single-column MKL dtrsm (dtrsv, which also calls dgemv for its blocks) cost more than the
/// arithmetic (perf samples on the portfolio layer). Four rows share each pass over the prefix (its loads, and in the
/// backward solve its stores); every entry is rounded exactly as by one row at a time with <see cref="SpanKernels.Dot"/>
/// and <see cref="SpanKernels.AddScaled"/>.
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
        if (transpose) Backward(l, n, lda, x);
        else Forward(l, n, lda, x);
    }

    /// <summary>
    /// Lx = b: x_i = (b_i − L_{i,&lt;i}·x_{&lt;i}) / L_ii. Where a row's dot product has its vector part (length at least
    /// two vectors), four rows starting at a multiple of the vector width share that part (the same chunks for all four)
    /// and add their few tail products in order, as <see cref="SpanKernels.Dot"/> does for each.
    /// </summary>
    private static void Forward(ReadOnlySpan<double> l, int n, int lda, Span<double> x)
    {
        int width = Vector<double>.Count;
        bool blocks = Vector.IsHardwareAccelerated && width >= 4;
        int i = 0;
        while (i < n)
        {
            if (blocks && i >= 2 * width && i % width == 0 && i + 4 <= n)
            {
                Forward4(l, lda, i, x);
                i += 4;
                continue;
            }
            x[i] = (x[i] - SpanKernels.Dot(l.Slice(i * lda, i), x[..i])) / l[i * lda + i];
            i++;
        }
    }

    /// <summary>Rows i..i+3 of the forward solve, for i a multiple of the vector width of at least two vectors.</summary>
    private static void Forward4(ReadOnlySpan<double> l, int lda, int i, Span<double> x)
    {
        int width = Vector<double>.Count;
        ref double rl = ref MemoryMarshal.GetReference(l);
        ref double rx = ref MemoryMarshal.GetReference(x);
        nuint o0 = (nuint)(i * lda), o1 = o0 + (nuint)lda, o2 = o1 + (nuint)lda, o3 = o2 + (nuint)lda;
        var s0 = Vector<double>.Zero;
        var s1 = Vector<double>.Zero;
        var s2 = Vector<double>.Zero;
        var s3 = Vector<double>.Zero;
        for (int k = 0; k < i; k += width)
        {
            var v = Vector.LoadUnsafe(ref rx, (nuint)k);
            s0 += Vector.LoadUnsafe(ref rl, o0 + (nuint)k) * v;
            s1 += Vector.LoadUnsafe(ref rl, o1 + (nuint)k) * v;
            s2 += Vector.LoadUnsafe(ref rl, o2 + (nuint)k) * v;
            s3 += Vector.LoadUnsafe(ref rl, o3 + (nuint)k) * v;
        }
        double d0 = Vector.Sum(s0), d1 = Vector.Sum(s1), d2 = Vector.Sum(s2), d3 = Vector.Sum(s3);
        ReadOnlySpan<double> r1 = l.Slice((int)o1, i + 2), r2 = l.Slice((int)o2, i + 3), r3 = l.Slice((int)o3, i + 4);
        double x0 = (x[i] - d0) / l[(int)o0 + i];
        d1 += r1[i] * x0;
        double x1 = (x[i + 1] - d1) / r1[i + 1];
        d2 += r2[i] * x0;
        d2 += r2[i + 1] * x1;
        double x2 = (x[i + 2] - d2) / r2[i + 2];
        d3 += r3[i] * x0;
        d3 += r3[i + 1] * x1;
        d3 += r3[i + 2] * x2;
        double x3 = (x[i + 3] - d3) / r3[i + 3];
        (x[i], x[i + 1], x[i + 2], x[i + 3]) = (x0, x1, x2, x3);
    }

    /// <summary>
    /// Lᵀx = b, backwards: x_i = b_i / L_ii once the later rows are done, then b_{&lt;i} −= x_i·L_{i,&lt;i}; four rows at a
    /// time update the prefix in one pass, each entry in the rows' order (the updates are a multiplication and an
    /// addition per entry, rounded alike in vectors and scalars).
    /// </summary>
    private static void Backward(ReadOnlySpan<double> l, int n, int lda, Span<double> x)
    {
        int i = n - 1;
        for (; i >= 3; i -= 4) Backward4(l, lda, i, x);
        for (; i >= 0; i--)
        {
            double xi = x[i] / l[i * lda + i];
            x[i] = xi;
            SpanKernels.AddScaled(-xi, l.Slice(i * lda, i), x[..i]);
        }
    }

    /// <summary>Rows i, i−1, i−2, i−3 of the backward solve (i ≥ 3).</summary>
    private static void Backward4(ReadOnlySpan<double> l, int lda, int i, Span<double> x)
    {
        int start = i - 3;
        ReadOnlySpan<double> r3 = l.Slice(i * lda, i + 1), r2 = l.Slice((i - 1) * lda, i), r1 = l.Slice((i - 2) * lda, i - 1),
            r0 = l.Slice(start * lda, start + 1);
        double a3 = -(x[i] / r3[i]);
        x[i] = -a3;
        x[i - 1] += a3 * r3[i - 1];
        x[i - 2] += a3 * r3[i - 2];
        x[start] += a3 * r3[start];
        double a2 = -(x[i - 1] / r2[i - 1]);
        x[i - 1] = -a2;
        x[i - 2] += a2 * r2[i - 2];
        x[start] += a2 * r2[start];
        double a1 = -(x[i - 2] / r1[i - 2]);
        x[i - 2] = -a1;
        x[start] += a1 * r1[start];
        double a0 = -(x[start] / r0[start]);
        x[start] = -a0;
        AddRows4(r3, r2, r1, r0, a3, a2, a1, a0, x[..start]);
    }

    /// <summary>y_k = (((y_k + c3·r3_k) + c2·r2_k) + c1·r1_k) + c0·r0_k over y's length: four <see cref="SpanKernels.AddScaled"/> calls in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRows4(ReadOnlySpan<double> r3, ReadOnlySpan<double> r2, ReadOnlySpan<double> r1, ReadOnlySpan<double> r0,
        double c3, double c2, double c1, double c0, Span<double> y)
    {
        int length = y.Length, k = 0;
        if (length > r3.Length || length > r2.Length || length > r1.Length || length > r0.Length)
            throw new ArgumentException("The rows are shorter than the prefix.");
        ref double ry = ref MemoryMarshal.GetReference(y);
        if (Vector.IsHardwareAccelerated)
        {
            ref double p3 = ref MemoryMarshal.GetReference(r3);
            ref double p2 = ref MemoryMarshal.GetReference(r2);
            ref double p1 = ref MemoryMarshal.GetReference(r1);
            ref double p0 = ref MemoryMarshal.GetReference(r0);
            Vector<double> v3 = new(c3), v2 = new(c2), v1 = new(c1), v0 = new(c0);
            for (; k + Vector<double>.Count <= length; k += Vector<double>.Count)
            {
                var acc = Vector.LoadUnsafe(ref ry, (nuint)k);
                acc += v3 * Vector.LoadUnsafe(ref p3, (nuint)k);
                acc += v2 * Vector.LoadUnsafe(ref p2, (nuint)k);
                acc += v1 * Vector.LoadUnsafe(ref p1, (nuint)k);
                acc += v0 * Vector.LoadUnsafe(ref p0, (nuint)k);
                acc.StoreUnsafe(ref ry, (nuint)k);
            }
        }
        for (; k < length; k++)
        {
            double v = Unsafe.Add(ref ry, k);
            v += c3 * r3[k];
            v += c2 * r2[k];
            v += c1 * r1[k];
            v += c0 * r0[k];
            Unsafe.Add(ref ry, k) = v;
        }
    }
}
