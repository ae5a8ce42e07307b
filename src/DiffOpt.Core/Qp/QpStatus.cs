namespace DiffOpt.Qp;

/// <summary>Outcome of solving one item of a batch of quadratic programs.</summary>
public enum QpStatus
{
    /// <summary>Primal residual, dual residual and duality gap all meet the requested tolerance.</summary>
    Solved,

    /// <summary>
    /// The solver stopped early (iteration limit or numerical trouble) at a point whose residuals miss the
    /// tolerance but meet <see cref="QpSolverOptions.InaccurateToleranceFactor"/> times it.
    /// </summary>
    Inaccurate,

    /// <summary>The iteration limit was reached before the residuals met the tolerance.</summary>
    MaxIterations,

    /// <summary>The constraints Gz ≤ h, Az = b admit no point: the problem is primal infeasible.</summary>
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

/// <summary>Helpers for <see cref="QpStatus"/>.</summary>
public static class QpStatusExtensions
{
    /// <summary>True for <see cref="QpStatus.Solved"/> and <see cref="QpStatus.Inaccurate"/>: the returned point is usable.</summary>
    public static bool HasSolution(this QpStatus status) => status is QpStatus.Solved or QpStatus.Inaccurate;

    /// <summary>True when the problem was found primal or dual infeasible.</summary>
    public static bool IsInfeasible(this QpStatus status) => status is QpStatus.PrimalInfeasible or QpStatus.DualInfeasible;
}
