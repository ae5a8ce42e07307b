using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// The result of solving a batch of QPs  minimize ½zᵀQz + pᵀz  s.t.  Gz ≤ h, Az = b.
/// Tensors are on the inputs' device and dtype, batch first.
/// </summary>
/// <remarks>
/// Residuals are those of the returned point on the original data, with Lagrangian ½zᵀQz + pᵀz + λᵀ(Gz − h) + νᵀ(Az − b):
/// primal residual max(‖Az − b‖∞, ‖max(Gz − h, 0)‖∞), dual residual ‖Qz + p + Gᵀλ + Aᵀν‖∞, duality gap
/// |zᵀQz + pᵀz + hᵀλ + bᵀν| (the definitions of qpbenchmark). <see cref="SolverStatus.Solved"/> means each of them,
/// plus its floating-point rounding noise (machine epsilon times the magnitude of the terms it sums), meets the
/// tolerance.
/// For a <see cref="SolverStatus.PrimalInfeasible"/> item the duals hold a Farkas certificate scaled to unit infinity
/// norm: λ ≥ 0 and ν with ‖Aᵀν + Gᵀλ‖∞ ≤ ε·(−bᵀν − hᵀλ), ε = <see cref="QpSolverOptions.InfeasibilityTolerance"/>.
/// For a <see cref="SolverStatus.DualInfeasible"/> item X holds an unbounded descent ray scaled to unit infinity norm:
/// max(‖Qx‖∞, ‖Ax‖∞, ‖max(Gx, 0)‖∞) ≤ ε·(−pᵀx). For items with any other unsuccessful status the tensors hold
/// the last iterate: finite, but not a solution.
/// </remarks>
public sealed class QpSolution : BatchSolution
{
    internal QpSolution(Tensor x, Tensor inequalityDuals, Tensor equalityDuals, IReadOnlyList<SolverStatus> status,
        IReadOnlyList<int> iterations, IReadOnlyList<double> primalResidual, IReadOnlyList<double> dualResidual,
        IReadOnlyList<double> dualityGap, IReadOnlyList<bool> polished)
        : base(status, iterations, primalResidual, dualResidual, dualityGap)
    {
        X = x;
        InequalityDuals = inequalityDuals;
        EqualityDuals = equalityDuals;
        Polished = polished;
    }

    /// <summary>Primal solutions z*, shape (B,n).</summary>
    public Tensor X { get; }

    /// <summary>Multipliers λ* ≥ 0 of Gz ≤ h, shape (B,m).</summary>
    public Tensor InequalityDuals { get; }

    /// <summary>Multipliers ν* of Az = b, shape (B,p).</summary>
    public Tensor EqualityDuals { get; }

    /// <summary>
    /// Per item, whether the returned point is the polished one (<see cref="QpSolverOptions.Polish"/>): the solution of
    /// the KKT system with the interior-point iterate's active set fixed, taken because its residuals are smaller.
    /// Such a point is exact to about the rounding of that system; otherwise the interior-point iterate is returned.
    /// </summary>
    public IReadOnlyList<bool> Polished { get; }
}
