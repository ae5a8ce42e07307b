using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// y = α·op(A)·x + β·y for a row-major dense matrix, with BLAS's dgemv (<see cref="NativeBlas"/>) or, for small
/// matrices, the vectorised <see cref="SmallGemv"/> (cheaper than a BLAS call there), or, when the caller asks for the
/// managed path, loops: the matrix–vector products of the CPU cone kernel.
/// </summary>
internal static class DenseProducts
{
    /// <summary>Whether the kernel's native path is available (BLAS found and the CPU kernels allowed).</summary>
    public static bool NativeAvailable => NativeBlas.IsAvailable && NativeLu.IsAvailable && !KernelSwitch.TensorPathOnly;

    /// <summary>
    /// y = α·A·x + β·y, or α·Aᵀ·x + β·y when <paramref name="transpose"/>, for the row-major rows × columns
    /// <paramref name="a"/>; β = 0 ignores y's contents.
    /// </summary>
    public static void Multiply(ReadOnlySpan<double> a, int rows, int columns, bool transpose, double alpha, ReadOnlySpan<double> x,
        double beta, Span<double> y, bool native)
    {
        if (native)
        {
            SmallGemv.MultiplyOrBlas(a, rows, columns, transpose, alpha, x, beta, y);
            return;
        }
        if (transpose)
        {
            var result = y[..columns];
            if (beta == 0) result.Clear();
            else if (beta != 1) for (int j = 0; j < columns; j++) result[j] *= beta;
            for (int i = 0; i < rows; i++) SpanKernels.AddScaled(alpha * x[i], a.Slice(i * columns, columns), result);
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            double dot = alpha * SpanKernels.Dot(a.Slice(i * columns, columns), x);
            y[i] = beta == 0 ? dot : beta * y[i] + dot;
        }
    }

    /// <summary>
    /// y = α·A·x + y and w = α·Aᵀ·z + w for the row-major rows × columns <paramref name="a"/>: one pass over A where
    /// <see cref="SmallGemv.MultiplyBoth"/> serves (native path, up to <see cref="SmallGemv.MaxEntries"/> entries), the
    /// two products of <see cref="Multiply"/> elsewhere, with the same roundings.
    /// </summary>
    public static void MultiplyBoth(ReadOnlySpan<double> a, int rows, int columns, double alpha, ReadOnlySpan<double> x, Span<double> y,
        ReadOnlySpan<double> z, Span<double> w, bool native)
    {
        if (native && (long)rows * columns <= SmallGemv.MaxEntries)
        {
            SmallGemv.MultiplyBoth(a, rows, columns, alpha, x, 1, y, z, w);
            return;
        }
        Multiply(a, rows, columns, transpose: false, alpha, x, 1, y, native);
        Multiply(a, rows, columns, transpose: true, alpha, z, 1, w, native);
    }
}
