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

    /// <summary>
    /// d_r = Σ_{k&lt;length} row_r[k] x_k for the four rows row_r = <paramref name="rows"/> + r·<paramref name="stride"/>,
    /// written to <paramref name="destination"/>[0..4): four independent chains over the same loads of x, which hide
    /// each other's addition latency where one <see cref="Dot{T}(T*, T*, int)"/> needs two chains of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void DotFourRows<T>(T* rows, long stride, T* x, int length, T* destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* r0 = rows, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
        int k = 0;
        T d0 = T.Zero, d1 = T.Zero, d2 = T.Zero, d3 = T.Zero;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<T>.Count)
        {
            int width = Vector256<T>.Count;
            Vector256<T> s0 = Vector256<T>.Zero, s1 = Vector256<T>.Zero, s2 = Vector256<T>.Zero, s3 = Vector256<T>.Zero;
            for (; k + width <= length; k += width)
            {
                var xk = Vector256.Load(x + k);
                s0 += Vector256.Load(r0 + k) * xk;
                s1 += Vector256.Load(r1 + k) * xk;
                s2 += Vector256.Load(r2 + k) * xk;
                s3 += Vector256.Load(r3 + k) * xk;
            }
            d0 = Vector256.Sum(s0); d1 = Vector256.Sum(s1); d2 = Vector256.Sum(s2); d3 = Vector256.Sum(s3);
        }
        for (; k < length; k++)
        {
            T xk = x[k];
            d0 += r0[k] * xk; d1 += r1[k] * xk; d2 += r2[k] * xk; d3 += r3[k] * xk;
        }
        destination[0] = d0; destination[1] = d1; destination[2] = d2; destination[3] = d3;
    }

    /// <summary>
    /// y_k −= Σ_r a_r row_r[k] for k &lt; length and the four rows row_r = <paramref name="rows"/> + r·<paramref name="stride"/>,
    /// in the order (so with the roundings) of four <see cref="SubtractScaled{T}"/> calls for r = 0..3, with one load
    /// and store of y instead of four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SubtractScaledFourRows<T>(T* rows, long stride, T a0, T a1, T a2, T a3, T* y, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* r0 = rows, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            Vector256<T> f0 = Vector256.Create(-a0), f1 = Vector256.Create(-a1), f2 = Vector256.Create(-a2), f3 = Vector256.Create(-a3);
            for (; k + width <= length; k += width)
            {
                var sum = Vector256.Load(y + k) + f0 * Vector256.Load(r0 + k);
                sum += f1 * Vector256.Load(r1 + k);
                sum += f2 * Vector256.Load(r2 + k);
                Vector256.Store(sum + f3 * Vector256.Load(r3 + k), y + k);
            }
        }
        for (; k < length; k++)
            y[k] = y[k] + -a0 * r0[k] + -a1 * r1[k] + -a2 * r2[k] + -a3 * r3[k];
    }

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
