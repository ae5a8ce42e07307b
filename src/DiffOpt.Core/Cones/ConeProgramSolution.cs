using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The result of <see cref="ConeProgramSolver.Solve(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?)"/> for a batch of cone programs
/// minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K: tensors batch first, in the data's dtype and on its device.
/// </summary>
/// <remarks>
/// Measures of the returned point on the original data (<see cref="BatchSolution.PrimalResidual"/>, …) (∞-norms; Clarabel's definitions): primal residual
/// ‖Ax + s − b‖, dual residual ‖Px + Aᵀy + c‖, duality gap |pobj − dobj| = |cᵀx + xᵀPx + bᵀy|.
/// <see cref="SolverStatus.Solved"/> means each is at most the absolute tolerance or the relative tolerance times its
/// normaliser (max(1, ‖Ax‖, ‖s‖, ‖b‖); max(1, ‖Px‖, ‖Aᵀy‖, ‖c‖); max(1, min(|pobj|, |dobj|))).
/// A <see cref="SolverStatus.PrimalInfeasible"/> item holds in Y a certificate y ∈ K* with bᵀy = −1 and
/// ‖Aᵀy‖∞ ≤ ε (X and S zero); a <see cref="SolverStatus.DualInfeasible"/> item holds in X and S a ray with cᵀx = −1,
/// s ∈ K, max(‖Px‖∞, ‖Ax + s‖∞) ≤ ε (Y zero), ε = <see cref="ConeProgramSolverOptions.InfeasibilityTolerance"/>.
/// Items with another unsuccessful status hold their last finite iterate.
/// </remarks>
public sealed class ConeProgramSolution : BatchSolution
{
    /// <summary>A solution from the solver's results (tensors (B, ·), one entry per item in each list).</summary>
    internal ConeProgramSolution(Tensor x, Tensor y, Tensor s, IReadOnlyList<SolverStatus> status, IReadOnlyList<int> iterations,
        IReadOnlyList<double> primalResidual, IReadOnlyList<double> dualResidual, IReadOnlyList<double> dualityGap)
        : base(status, iterations, primalResidual, dualResidual, dualityGap)
    {
        X = x;
        Y = y;
        S = s;
    }

    /// <summary>Primal solutions x, (B, n).</summary>
    public Tensor X { get; }

    /// <summary>Dual solutions y ∈ K*, (B, m).</summary>
    public Tensor Y { get; }

    /// <summary>Slacks s = b − Ax ∈ K, (B, m).</summary>
    public Tensor S { get; }
}
