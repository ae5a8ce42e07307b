using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The Nesterov–Todd scaling W of a symmetric cone at an interior pair (s, z): W z = W⁻ᵀ s = λ (Vandenberghe 2010,
/// §4; ECOS; Clarabel's <c>update_scaling</c>), kept structured (diagonal, identity plus rank one, or a congruence
/// by R), never a dense matrix. Hs = WᵀW. For the orthant and the second-order cone W is symmetric (Wᵀ = W,
/// W⁻ᵀ = W⁻¹); for the PSD cone W(X) = RᵀXR is not, and the transposes are separate operations.
/// Every operation takes and returns (B, Rows).
/// </summary>
internal interface INesterovToddScaling : IConeScaling
{
    /// <summary>λ = W z = W⁻ᵀ s (B, Rows), the scaled point.</summary>
    Tensor Lambda { get; }

    /// <summary>W u.</summary>
    Tensor Apply(Tensor u);

    /// <summary>Wᵀ u.</summary>
    Tensor ApplyTranspose(Tensor u);

    /// <summary>W⁻¹ u.</summary>
    Tensor ApplyInverse(Tensor u);

    /// <summary>W⁻ᵀ u.</summary>
    Tensor ApplyInverseTranspose(Tensor u);
}
