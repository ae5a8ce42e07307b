using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of one cone K (a block of <see cref="Rows"/> rows) for a batched
/// homogeneous-embedding solver (Clarabel: Goulart and Chen 2024; CVXOPT's conelp: Vandenberghe 2010), batched
/// over tensors of shape (B, Rows) of float32 or float64 on any device. Kept apart from <see cref="ICone"/>
/// (projections and their derivatives, used by the backward pass) because a solver's cone state changes every
/// iteration while the projections are stateless: the per-iteration state lives in the <see cref="IConeScaling"/>
/// that <see cref="Scale"/> returns. Symmetric cones implement <see cref="ISymmetricInteriorPointCone"/>.
/// </summary>
internal interface IInteriorPointCone
{
    /// <summary>The number of rows the cone covers.</summary>
    int Rows { get; }

    /// <summary>
    /// ν, the degree of the cone's logarithmically homogeneous barrier (⟨−∇f(s), s⟩ = ν): the dimension for the
    /// orthant, 1 for a second-order cone, the order for a PSD cone, 3 per exponential cone, 0 for the zero cone.
    /// μ = ⟨s, z⟩/ν sums ν over the cones.
    /// </summary>
    int Degree { get; }

    /// <summary>
    /// e (Rows,), the point on the central ray that a solver starts from (s = z = e has μ = 1 and is central).
    /// </summary>
    Tensor UnitElement(ScalarType dtype, Device device);

    /// <summary>
    /// The scaling at a primal–dual pair s (B, Rows) ∈ int K, z (B, Rows) ∈ int K*: an operator Hs with Hs z = s,
    /// the cone's block of the reduced KKT matrix [P, Aᵀ; A, −Hs]. Items outside the interior give non-finite
    /// entries (NaN, or ±∞ on the boundary): membership is not tested here (<see cref="ICone.Contains"/> does).
    /// </summary>
    /// <exception cref="ArgumentException">s or z is not (B, Rows) float32/float64, or z differs from s in shape, dtype or device.</exception>
    IConeScaling Scale(Tensor s, Tensor z);
}
