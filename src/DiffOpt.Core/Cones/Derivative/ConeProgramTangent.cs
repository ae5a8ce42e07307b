using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The forward-mode derivative of a batch of cone programs' solutions along a data direction
/// (<see cref="ConeProgramDerivative.Forward"/>): dx (B, n), dy (B, m) and ds (B, m) in the data's dtype and device.
/// </summary>
/// <param name="DX">dx, the change of the primal solution x.</param>
/// <param name="DY">dy, the change of the dual solution y.</param>
/// <param name="DS">ds, the change of the slack s.</param>
/// <param name="Residual">
/// Each item's relative residual ‖J·z − r‖∞ / ‖r‖∞ of the linear solve after refinement, (B,) float64.
/// </param>
internal sealed record ConeProgramTangent(Tensor DX, Tensor DY, Tensor DS, Tensor Residual);
