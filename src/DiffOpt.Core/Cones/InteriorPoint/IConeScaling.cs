using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The scaling of one cone at an interior pair (s, z): the symmetric positive (semi)definite block Hs of the reduced
/// KKT matrix [P, Aᵀ; A, −Hs] with Hs z = s (Hs = WᵀW for symmetric cones; Clarabel's <c>Hs</c>), batched (B, Rows).
/// </summary>
internal interface IConeScaling
{
    /// <summary>Hs u per item, for u (B, Rows).</summary>
    /// <exception cref="ArgumentException">u is not (B, Rows) with the scaling's dtype.</exception>
    Tensor MulHs(Tensor u);

    /// <summary>Hs as a dense (B, Rows, Rows) tensor, for assembling a dense reduced KKT matrix.</summary>
    Tensor DenseHs();
}
