using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffOpt.Qp;

/// <summary>The level-1 loops (dot product, scaled update) of the per-item CPU kernels, vectorised with <see cref="Vector256"/>.</summary>
internal static class VectorKernels
{
    /// <summary>Σ_{k&lt;length} x_k y_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T Dot<T>(T* x, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0;
        T sum = T.Zero;
        if (Vector256.IsHardwareAccelerated && length >= 2 * Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero;
            for (; k + 2 * width <= length; k += 2 * width)
            {
                s0 += Vector256.Load(x + k) * Vector256.Load(y + k);
                s1 += Vector256.Load(x + k + width) * Vector256.Load(y + k + width);
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; k < length; k++) sum += x[k] * y[k];
        return sum;
    }

    /// <summary>y_k −= a·x_k for k &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SubtractScaled<T>(T* x, T a, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            var factor = Vector256.Create(a);
            for (; k + width <= length; k += width)
                Vector256.Store(Vector256.Load(y + k) - factor * Vector256.Load(x + k), y + k);
        }
        for (; k < length; k++) y[k] -= a * x[k];
    }
}
