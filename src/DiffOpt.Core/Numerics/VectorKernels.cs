using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffOpt.Numerics;

/// <summary>The level-1 loops (dot product, scaled update) of the per-item CPU kernels, vectorised with <see cref="Vector256"/>.</summary>
internal static class VectorKernels
{
    /// <summary>An element-wise map applied to the entries of x before they enter a loop (the identity, or |·|).</summary>
    internal interface IEntryMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract T Apply(T value);
        static abstract Vector256<T> Apply(Vector256<T> value);
    }

    /// <summary>x ↦ x.</summary>
    internal readonly struct Identity<T> : IEntryMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T value) => value;
        public static Vector256<T> Apply(Vector256<T> value) => value;
    }

    /// <summary>x ↦ |x|.</summary>
    internal readonly struct Magnitude<T> : IEntryMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T value) => T.Abs(value);
        public static Vector256<T> Apply(Vector256<T> value) => Vector256.Abs(value);
    }

    /// <summary>Σ_{k&lt;length} x_k y_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T Dot<T>(T* x, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        Dot<T, Identity<T>>(x, y, length);

    /// <summary>Σ_{k&lt;length} |x_k| |y_k|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe T AbsDot<T>(T* x, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        Dot<T, Magnitude<T>>(x, y, length);

    /// <summary>y_k −= a·x_k for k &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SubtractScaled<T>(T* x, T a, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        AddScaled<T, Identity<T>>(x, -a, y, length);

    /// <summary>y_k += a·|x_k| for k &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddScaledAbs<T>(T* x, T a, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> =>
        AddScaled<T, Magnitude<T>>(x, a, y, length);

    /// <summary>Σ_{k&lt;length} f(x_k) f(y_k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe T Dot<T, TMap>(T* x, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> where TMap : IEntryMap<T>
    {
        int k = 0;
        T sum = T.Zero;
        if (Vector256.IsHardwareAccelerated && length >= 2 * Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero;
            for (; k + 2 * width <= length; k += 2 * width)
            {
                s0 += TMap.Apply(Vector256.Load(x + k)) * TMap.Apply(Vector256.Load(y + k));
                s1 += TMap.Apply(Vector256.Load(x + k + width)) * TMap.Apply(Vector256.Load(y + k + width));
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; k < length; k++) sum += TMap.Apply(x[k]) * TMap.Apply(y[k]);
        return sum;
    }

    /// <summary>y_k += a·f(x_k) for k &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddScaled<T, TMap>(T* x, T a, T* y, int length) where T : unmanaged, IFloatingPointIeee754<T> where TMap : IEntryMap<T>
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            var factor = Vector256.Create(a);
            for (; k + width <= length; k += width)
                Vector256.Store(Vector256.Load(y + k) + factor * TMap.Apply(Vector256.Load(x + k)), y + k);
        }
        for (; k < length; k++) y[k] += a * TMap.Apply(x[k]);
    }
}
