using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The reverse-mode derivative of a batch of cone programs (<see cref="ConeProgramDerivative.Adjoint"/>): the
/// gradients of a loss with respect to the data, each shaped like its argument (a shared, unbatched argument's
/// gradient is the sum over the items) and in the data's dtype and device.
/// </summary>
/// <param name="A">∇A, (B, m, n) or (m, n).</param>
/// <param name="B">∇b, (B, m).</param>
/// <param name="C">∇c, (B, n).</param>
/// <param name="P">∇P, (B, n, n) or (n, n), symmetric; null when the programs have no P.</param>
/// <param name="Residual">
/// Each item's relative residual ‖Jᵀ·u − r‖∞ / ‖r‖∞ of the linear solve after refinement, (B,) float64.
/// </param>
internal sealed record ConeProgramGradients(Tensor A, Tensor B, Tensor C, Tensor? P, Tensor Residual);
