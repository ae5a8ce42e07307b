using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A symmetric cone's interior-point arithmetic: the Nesterov–Todd scaling and the Jordan algebra that the
/// Mehrotra corrector needs (Vandenberghe 2010, §2–§4; Clarabel's <c>symmetric_common.rs</c>).
/// </summary>
internal interface ISymmetricInteriorPointCone : IInteriorPointCone
{
    /// <summary>The Nesterov–Todd scaling at s ∈ int K, z ∈ int K (B, Rows); non-finite entries for items outside the interior.</summary>
    /// <exception cref="ArgumentException">s or z is not (B, Rows) float32/float64, or they differ in shape, dtype or device.</exception>
    new INesterovToddScaling Scale(Tensor s, Tensor z);

    /// <inheritdoc />
    IConeScaling IInteriorPointCone.Scale(Tensor s, Tensor z) => Scale(s, z);

    /// <summary>The Jordan product a ∘ u per item (B, Rows); e ∘ u = u.</summary>
    /// <exception cref="ArgumentException">a or u is not (B, Rows), or they differ in dtype or device.</exception>
    Tensor JordanProduct(Tensor a, Tensor u);

    /// <summary>λ \ u: the x with λ ∘ x = u, per item, for λ in the interior (B, Rows).</summary>
    /// <exception cref="ArgumentException">lambda or u is not (B, Rows), or they differ in dtype or device.</exception>
    Tensor JordanDivide(Tensor lambda, Tensor u);

    /// <summary>
    /// The distance from the central path at the scaled point λ (B, Rows): ‖λ∘λ/μ − e‖₂ with μ = ‖λ‖²/ν = ⟨s, z⟩/ν,
    /// per item (B,); 0 exactly on the central path s∘z = μe (Vandenberghe 2010, §4: λ∘λ = W z ∘ W⁻ᵀ s has the
    /// eigenvalues of s∘z). Items with λ = 0 give NaN.
    /// </summary>
    /// <exception cref="ArgumentException">lambda is not (B, Rows) float32/float64.</exception>
    Tensor Centrality(Tensor lambda)
    {
        ConeArguments.CheckBatch(lambda, Rows, nameof(lambda), this);
        var mu = (lambda * lambda).sum(1, keepdim: true).DividedBy(Degree);
        var unit = UnitElement(lambda.dtype, lambda.device);
        return (JordanProduct(lambda, lambda) / mu - unit).norm(1);
    }
}
