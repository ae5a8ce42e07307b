using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffOpt.Qp;

/// <summary>
/// The elementwise loops of <see cref="MehrotraStepKernel"/> in vector lanes. Each entry is rounded as the plain loop
/// writes it (products, quotients and differences are correctly rounded in either form and no multiply-add is fused),
/// so the lanes give the scalar bits; the quotients, which a scalar loop issues one at a time, are the point.
/// </summary>
internal static class StepArithmetic
{
    /// <summary>result_i = (a_i − b_i·c_i) / d_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void QuotientOfDifference<T>(T* a, T* b, T* c, T* d, T* result, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (int width = Vector256<T>.Count; i + width <= length; i += width)
                Vector256.Store((Vector256.Load(a + i) - Vector256.Load(b + i) * Vector256.Load(c + i)) / Vector256.Load(d + i), result + i);
        for (; i < length; i++) result[i] = (a[i] - b[i] * c[i]) / d[i];
    }

    /// <summary>
    /// The condensed right-hand side and the corrector's start of its solve: rhs_i = r_i − rs_i / z_i, then
    /// dz_i = vt_i − rhs_i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void CondensedRightHandSide<T>(T* r, T* rs, T* z, T* vt, T* rhs, T* dz, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (int width = Vector256<T>.Count; i + width <= length; i += width)
            {
                var condensed = Vector256.Load(r + i) - Vector256.Load(rs + i) / Vector256.Load(z + i);
                Vector256.Store(condensed, rhs + i);
                Vector256.Store(Vector256.Load(vt + i) - condensed, dz + i);
            }
        for (; i < length; i++)
        {
            rhs[i] = r[i] - rs[i] / z[i];
            dz[i] = vt[i] - rhs[i];
        }
    }

    /// <summary>result_i = x_i + α·d_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Step<T>(T* x, T alpha, T* d, T* result, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(alpha);
            for (int width = Vector256<T>.Count; i + width <= length; i += width)
                Vector256.Store(Vector256.Load(x + i) + scale * Vector256.Load(d + i), result + i);
        }
        for (; i < length; i++) result[i] = x[i] + alpha * d[i];
    }
}
