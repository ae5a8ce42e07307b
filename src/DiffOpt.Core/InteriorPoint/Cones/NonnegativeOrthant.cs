using System.Numerics;
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
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] < T.Zero) return T.Zero;
            if (dv[i] < T.Zero) alpha = T.Min(alpha, -v[i] / dv[i]);
        }
        return alpha;
    }

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
