using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The arithmetic of the nonnegative orthant ℝᵐ₊ that the QP's inequality block and the cone solver's
/// <c>NonnegativeCone</c> share, on one item's spans (the CPU kernels, float32 or float64) and on batched tensors:
/// the step to the boundary, membership, projection and the diagonal Nesterov–Todd scaling W² = Hs = diag(s/z)
/// (Vandenberghe 2010, §4.1; the orthant's W is diagonal, so products with it are elementwise: the fast path of the
/// cone solver's general scaling operators).
/// </summary>
internal static class NonnegativeOrthant
{
    /// <summary>
    /// The largest α ≤ <paramref name="limit"/> with v + α·dv ≥ 0: min over dvᵢ &lt; 0 of −vᵢ/dvᵢ, capped; 0 when some
    /// vᵢ &lt; 0 (v is outside the orthant, so no step stays in it).
    /// </summary>
    public static T StepToBoundary<T>(ReadOnlySpan<T> v, ReadOnlySpan<T> dv, T limit) where T : IFloatingPointIeee754<T>
    {
        dv = dv[..v.Length];
        T alpha = limit;
        int start = 0;
        if (typeof(T) == typeof(double) && Vector256.IsHardwareAccelerated && v.Length >= Vector256<double>.Count)
        {
            var (lanes, negative, done) = StepLanes(AsDoubles(v), AsDoubles(dv), double.CreateTruncating(limit));
            if (negative) return T.Zero;
            (alpha, start) = (T.CreateTruncating(lanes), done);
        }
        for (int i = start; i < v.Length; i++)
        {
            if (v[i] < T.Zero) return T.Zero;
            if (dv[i] < T.Zero) alpha = T.Min(alpha, -v[i] / dv[i]);
        }
        return alpha;
    }

    /// <summary>
    /// The vector part of <see cref="StepToBoundary{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, T)"/> in float64: the minimum of
    /// <paramref name="limit"/> and the ratios of the entries before <c>Done</c> (a multiple of the lanes' width), and
    /// whether one of those vᵢ is negative. Quotients are correctly rounded in either form and the minimum (IEEE 754's,
    /// like <see cref="Math.Min(double, double)"/>) is the same in any order, so the step is the scalar loop's.
    /// </summary>
    private static (double Alpha, bool Negative, int Done) StepLanes(ReadOnlySpan<double> v, ReadOnlySpan<double> dv, double limit)
    {
        ref double values = ref MemoryMarshal.GetReference(v), steps = ref MemoryMarshal.GetReference(dv);
        int width = Vector256<double>.Count, i = 0;
        var alpha = Vector256.Create(limit);
        var negative = Vector256<double>.Zero;
        var none = Vector256.Create(double.PositiveInfinity);
        for (; i + width <= v.Length; i += width)
        {
            var value = Vector256.LoadUnsafe(ref values, (nuint)i);
            var step = Vector256.LoadUnsafe(ref steps, (nuint)i);
            negative |= Vector256.LessThan(value, Vector256<double>.Zero);
            alpha = Vector256.Min(alpha, Vector256.ConditionalSelect(Vector256.LessThan(step, Vector256<double>.Zero), -value / step, none));
        }
        double result = alpha[0];
        for (int lane = 1; lane < width; lane++) result = Math.Min(result, alpha[lane]);
        return (result, Vector256.ExtractMostSignificantBits(negative) != 0, i);
    }

    /// <summary>The span's values as float64 (the caller has checked that T is <see cref="double"/>).</summary>
    private static ReadOnlySpan<double> AsDoubles<T>(ReadOnlySpan<T> values) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(values)), values.Length);

    /// <summary>Whether every vᵢ ≥ −<paramref name="tolerance"/>.</summary>
    public static bool Contains<T>(ReadOnlySpan<T> v, T tolerance) where T : IFloatingPointIeee754<T>
    {
        foreach (var value in v)
            if (!(value >= -tolerance)) return false;
        return true;
    }

    /// <summary>min vᵢ (+∞ for no rows): v is in the interior iff this is positive.</summary>
    public static T Margin<T>(ReadOnlySpan<T> v) where T : IFloatingPointIeee754<T>
    {
        T smallest = T.PositiveInfinity;
        foreach (var value in v) smallest = T.Min(smallest, value);
        return smallest;
    }

    /// <summary>
    /// The diagonal of W² = Hs at (s, z), hᵢ = sᵢ/zᵢ, into <paramref name="h"/>; false (at the first row) where it is
    /// not positive and finite, i.e. (s, z) is not in the interior.
    /// </summary>
    public static bool Scaling<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> z, Span<T> h) where T : IFloatingPointIeee754<T>
    {
        z = z[..s.Length];
        h = h[..s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            h[i] = s[i] / z[i];
            if (!(h[i] > T.Zero) || !T.IsFinite(h[i])) return false;
        }
        return true;
    }

    /// <summary>Per item of (B, m): the largest α ≤ <paramref name="limit"/> with v + α·dv ≥ 0, 0 where some vᵢ &lt; 0; <paramref name="limit"/> when m = 0.</summary>
    public static Tensor StepToBoundary(Tensor v, Tensor dv, double limit)
    {
        if (v.size(-1) == 0) return ScalarSafeOperations.With(limit, s => full(v.size(0), s, dtype: v.dtype, device: v.device));
        var ratio = where(dv.LessThan(0L), -v / dv, v.FullLike(double.PositiveInfinity)).amin(-1).AtMost(limit);
        return where(v.LessThan(0L).any(-1), zeros_like(ratio), ratio);
    }

    /// <summary>Per item of (B, m): whether every vᵢ ≥ −<paramref name="tolerance"/>.</summary>
    public static Tensor Contains(Tensor v, double tolerance) => v.GreaterOrEqual(-tolerance).all(-1);

    /// <summary>Π(v) = max(v, 0).</summary>
    public static Tensor Project(Tensor v) => v.AtLeast(0L);

    /// <summary>The diagonal of W² = Hs at (s, z): s/z (the QP's inequality weights before regularisation).</summary>
    public static Tensor Scaling(Tensor s, Tensor z) => s / z;
}
