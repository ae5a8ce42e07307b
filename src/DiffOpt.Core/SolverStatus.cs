using DiffOpt.Qp;

namespace DiffOpt;

/// <summary>
/// Outcome of solving one item of a batch: one status for every solver of the library (<see cref="QpSolver"/> and
/// <see cref="Cones.ConeProgramSolver"/>), so that code handling failures is written once.
/// </summary>
public enum SolverStatus
{
    /// <summary>Primal residual, dual residual and duality gap all meet the requested tolerance.</summary>
    Solved,

    /// <summary>
    /// The solver stopped early (iteration limit or numerical trouble) at a point whose residuals miss the
    /// tolerance but meet the options' InaccurateToleranceFactor times it.
    /// </summary>
    Inaccurate,

    /// <summary>The iteration limit was reached before the residuals met the tolerance.</summary>
    MaxIterations,

    /// <summary>The constraints admit no point (QP: Gz ≤ h, Az = b; cone program: Ax + s = b, s ∈ K): the problem is primal infeasible.</summary>
    PrimalInfeasible,

    /// <summary>The objective is unbounded below on the feasible set: the problem is dual infeasible.</summary>
    DualInfeasible,

    /// <summary>The linear algebra broke down: no factorisation succeeded, or the iterate stopped being finite.</summary>
    NumericalError,

    /// <summary>
    /// Q is not positive semidefinite (an eigenvalue below −<see cref="QpSolverOptions.ConvexityTolerance"/>·‖Q‖_F
    /// after equilibration), so the problem is not convex and a point satisfying the KKT conditions need not be a
    /// minimiser. The item is not solved.
    /// </summary>
    NonConvex,
}

/// <summary>Helpers for <see cref="SolverStatus"/>.</summary>
public static class SolverStatusExtensions
{
    /// <summary>True for <see cref="SolverStatus.Solved"/> and <see cref="SolverStatus.Inaccurate"/>: the returned point is usable.</summary>
    public static bool HasSolution(this SolverStatus status) => status is SolverStatus.Solved or SolverStatus.Inaccurate;

    /// <summary>True when the problem was found primal or dual infeasible.</summary>
    public static bool IsInfeasible(this SolverStatus status) => status is SolverStatus.PrimalInfeasible or SolverStatus.DualInfeasible;
}
