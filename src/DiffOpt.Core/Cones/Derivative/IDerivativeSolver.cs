using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Solves J·z = r or Jᵀ·z = r for the batch of derivative Jacobians J of <see cref="ConeProgramDerivative"/>, factorised
/// once, refined, with each item's relative residual: dense (<see cref="RefinedBatchSolver"/>) or sparse
/// (<see cref="SparseDerivativeSolver"/>).
/// </summary>
internal interface IDerivativeSolver
{
    /// <summary>(B,) bool: the items solved in the least-squares sense because their J is singular.</summary>
    Tensor Singular { get; }

    /// <summary>z with J·z = r (or Jᵀ·z = r when <paramref name="transpose"/>) for r (B, N), and each item's relative residual (B,).</summary>
    (Tensor Solution, Tensor Residual) Solve(Tensor r, bool transpose);
}
