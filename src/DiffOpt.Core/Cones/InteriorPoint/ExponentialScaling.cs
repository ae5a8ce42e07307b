using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The primal–dual scaling of Dahl and Andersen ("A primal-dual interior-point algorithm for nonsymmetric
/// exponential-cone optimization", Math. Programming 194, 2022, §4; Clarabel's <c>use_primal_dual_scaling</c>), per
/// triple: with the shadow points s̃ = −∇f*(z), z̃ = −∇f(s), μ = ⟨s, z⟩/3, μ̃ = ⟨s̃, z̃⟩/3, δs = s − μs̃,
/// δz = z − μz̃ and H* = ∇²f*(z) = [∇²f(s̃)]⁻¹ (Hessians of conjugate barriers are inverse at conjugate points;
/// in closed form, <see cref="ExponentialBarrier.InverseHessian"/>),
///     Hs = ssᵀ/⟨s, z⟩ + δsδsᵀ/⟨δs, δz⟩ + μ‖M‖_F·aaᵀ/‖a‖²,
///     M = H* − s̃s̃ᵀ/3 − ttᵀ/(z̃ᵀH*z̃ − 3μ̃²),  t = H*z̃ − μ̃s̃,  a = z × z̃.
/// It is symmetric positive definite and satisfies both secant equations Hs z = s and Hs z̃ = s̃ (⟨δs, z⟩ = 0 and
/// ⟨δs, δz⟩ = −μ⟨δs, z̃⟩ = 3μ(μμ̃ − 1) &gt; 0 off the central path; M z = M z̃ = 0, so M is the rank-one
/// remainder of H* along a, and the last term is μM made exactly rank one and positive). On the central path
/// (μμ̃ − 1 ≤ √ε, where δs = δz = 0) or when a term degenerates, the triple falls back to Hs = μH* (Clarabel's
/// <c>use_dual_scaling</c>, with the triple's own μ), which equals the formula's limit there;
/// <see cref="PrimalDual"/> records which triples used the full scaling.
/// </summary>
internal sealed class ExponentialScaling : IConeScaling
{
    private readonly object _cone;

    /// <summary>The scaling at the triples s ∈ int K_exp, z ∈ int K_exp* (B, Count, 3); NaN for triples outside.</summary>
    public ExponentialScaling(Tensor s, Tensor z, object cone)
    {
        _cone = cone;
        var sTilde = -ExponentialBarrier.DualGradient(z);
        var zTilde = -ExponentialBarrier.Gradient(s);
        var dualHessian = ExponentialBarrier.InverseHessian(sTilde);
        var sz = Dot(s, z);
        var mu = sz.DividedBy(3);
        var muTilde = Dot(sTilde, zTilde).DividedBy(3);
        var ds = s - mu.unsqueeze(-1) * sTilde;
        var dz = z - mu.unsqueeze(-1) * zTilde;
        var dsdz = Dot(ds, dz);
        var hz = dualHessian.matmul(zTilde.unsqueeze(-1)).squeeze(-1);
        var t = hz - muTilde.unsqueeze(-1) * sTilde;
        var curvature = Dot(zTilde, hz) - muTilde.Times(3L) * muTilde;
        var remainder = dualHessian - Outer(sTilde, sTilde).DividedBy(3) - Outer(t, t) / Expand(curvature);
        var axis = Cross(z, zTilde);
        var axisNorm2 = Dot(axis, axis);
        var weight = mu * remainder.flatten(-2).norm(-1) / axisNorm2;
        var primalDual = (Outer(s, s) / Expand(sz)).Plus(Outer(ds, ds) / Expand(dsdz)).Plus(Expand(weight) * Outer(axis, axis));
        double eps = s.dtype == ScalarType.Float32 ? 1.2e-7 : 2.2e-16;
        PrimalDual = ScalarSafeOperations.With(Math.Sqrt(eps), (mu * muTilde).Minus(1L).gt) & dsdz.gt(ScalarSafeOperations.Zero) & curvature.gt(ScalarSafeOperations.Zero)
            & axisNorm2.gt(ScalarSafeOperations.Zero)
            & primalDual.isfinite().flatten(-2).all(-1);
        Blocks = where(Expand(PrimalDual), primalDual, Expand(mu) * dualHessian);
    }

    /// <summary>Hs per triple, (B, Count, 3, 3).</summary>
    public Tensor Blocks { get; }

    /// <summary>Per triple (B, Count), whether the primal–dual formula was used (false: the fallback μH*).</summary>
    public Tensor PrimalDual { get; }

    /// <summary>Hs u, blockwise.</summary>
    public Tensor MulHs(Tensor u)
    {
        long batch = Blocks.shape[0], count = Blocks.shape[1];
        ConeArguments.CheckBatch(u, (int)(3 * count), nameof(u), _cone);
        InteriorPointArguments.CheckLike(Blocks, "the scaling", u, nameof(u));
        return Blocks.matmul(u.view(batch, count, 3, 1)).view(batch, 3 * count);
    }

    /// <summary>The block-diagonal (B, Rows, Rows) matrix of the 3 × 3 blocks.</summary>
    public Tensor DenseHs()
    {
        long batch = Blocks.shape[0], count = Blocks.shape[1];
        var identity = eye(count, dtype: Blocks.dtype, device: Blocks.device);
        return einsum("biac,ij->biajc", Blocks, identity).reshape(batch, 3 * count, 3 * count);
    }

    private static Tensor Dot(Tensor a, Tensor b) => (a * b).sum(-1);

    private static Tensor Outer(Tensor a, Tensor b) => a.unsqueeze(-1) * b.unsqueeze(-2);

    /// <summary>A per-triple scalar (…) as (…, 1, 1), to scale 3 × 3 blocks.</summary>
    private static Tensor Expand(Tensor scalar) => scalar.unsqueeze(-1).unsqueeze(-1);

    private static Tensor Cross(Tensor a, Tensor b)
    {
        Tensor A(int i) => a.select(-1, i);
        Tensor B(int i) => b.select(-1, i);
        return stack([A(1) * B(2) - A(2) * B(1), A(2) * B(0) - A(0) * B(2), A(0) * B(1) - A(1) * B(0)], -1);
    }
}
