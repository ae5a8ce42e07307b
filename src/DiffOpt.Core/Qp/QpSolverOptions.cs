using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Qp;

/// <summary>
/// Settings of the batched proximal interior-point QP solver. Immutable; derive variants with <c>with</c>.
/// </summary>
/// <remarks>
/// An item counts as solved when each of its primal residual, dual residual and duality gap (see
/// <see cref="QpSolution"/>), plus its rounding noise, is at most the absolute tolerance, or at most the relative
/// tolerance times the magnitude of the terms that make it up (never less than 1), both on the data as given and on
/// the data normalised to unit size (each constraint row with its largest coefficient, and the equilibrated cost,
/// scaled up to [1, 2) where below 1/16), so that a tolerance means the same for tiny data as for data of unit size.
/// Tolerances are taken from the pair that matches the input dtype: <see cref="Tolerance"/>/<see cref="RelativeTolerance"/> for float64,
/// <see cref="Float32Tolerance"/>/<see cref="Float32RelativeTolerance"/> for float32. In float32, solutions and gradients
/// of well-conditioned, nondegenerate problems are within 1e-3 of their float64 values relative to the largest entry
/// (the test suite measures 1e-6 to 2e-5); a backward solve that cannot show that accuracy is reported
/// (<see cref="QpSolveReport"/>).
/// </remarks>
public sealed record QpSolverOptions
{
    /// <summary>The default options.</summary>
    public static QpSolverOptions Default { get; } = new();

    /// <summary>Absolute tolerance on residuals and duality gap for float64 inputs. Default 1e-8.</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Relative tolerance for float64 inputs; 0 makes the test purely absolute. Default 1e-9.</summary>
    public double RelativeTolerance { get; init; } = 1e-9;

    /// <summary>Absolute tolerance for float32 inputs. Default 1e-5.</summary>
    public double Float32Tolerance { get; init; } = 1e-5;

    /// <summary>Relative tolerance for float32 inputs. Default 1e-5.</summary>
    public double Float32RelativeTolerance { get; init; } = 1e-5;

    /// <summary>
    /// Relative accuracy ε of the Farkas certificates behind <see cref="SolverStatus.PrimalInfeasible"/> and
    /// <see cref="SolverStatus.DualInfeasible"/> (floored at 1e-4 for float32): the reported problem is infeasible
    /// (resp. unbounded) after a relative perturbation of its data of at most ε. A feasible problem whose solution
    /// has a norm beyond about 1/ε cannot be told from an unbounded one. Default 1e-6.
    /// </summary>
    public double InfeasibilityTolerance { get; init; } = 1e-6;

    /// <summary>Maximum number of interior-point iterations. Default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>
    /// An item that stops without meeting the tolerance is reported <see cref="SolverStatus.Inaccurate"/> when its
    /// residuals are within this factor of the tolerance. Default 1e3.
    /// </summary>
    public double InaccurateToleranceFactor { get; init; } = 1e3;

    /// <summary>
    /// An item whose Q has an eigenvalue below −ConvexityTolerance·‖Q‖_F (after equilibration; the Frobenius norm is
    /// at least the largest eigenvalue) is not solved but reported <see cref="SolverStatus.NonConvex"/>;
    /// smaller negative eigenvalues are taken for rounding in the data (for example, Maros-Meszaros VALUES, whose Q
    /// rounded to six digits has eigenvalues of −1.2e-6 times its largest). The test is never finer than 100·n·ε,
    /// which rounding alone explains. Default 1e-5.
    /// </summary>
    public double ConvexityTolerance { get; init; } = 1e-5;

    /// <summary>
    /// When true, each solved or inaccurate item is polished: the KKT system with the active set of the interior-point
    /// iterate fixed is solved (one factorisation, iterative refinement), and the result replaces the iterate where
    /// its residuals are smaller (<see cref="QpSolution.Polished"/> says where). Nondegenerate problems then come back
    /// exact to about 1e-10 or better, and so do their gradients. Default true.
    /// </summary>
    public bool Polish { get; init; } = true;

    /// <summary>
    /// Largest relative residual ‖r‖∞/‖rhs‖∞ of an item's backward KKT solve (float64) for its gradient to be used;
    /// an item above it after refinement and a second factorisation gets zero gradient and is reported in
    /// <see cref="QpSolveReport.GradientTrusted"/>. Default 1e-9.
    /// </summary>
    public double BackwardTolerance { get; init; } = 1e-9;

    /// <summary>As <see cref="BackwardTolerance"/>, for float32 inputs. Default 1e-4.</summary>
    public double Float32BackwardTolerance { get; init; } = 1e-4;

    /// <summary>Number of Ruiz equilibration passes applied to the data before solving; 0 disables scaling. Default 10.</summary>
    public int EquilibrationIterations { get; init; } = 10;

    /// <summary>
    /// When true, <see cref="QpSolver.Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?)"/> and <see cref="QpFunction.Apply"/> throw
    /// <see cref="SolveFailedException"/> if any item is not <see cref="SolverStatus.Solved"/> or
    /// <see cref="SolverStatus.Inaccurate"/>. Default false: failures are reported per item.
    /// </summary>
    public bool ThrowOnFailure { get; init; }

    /// <summary>The tolerances for data of <paramref name="dtype"/> (float32 never certifies infeasibility below 1e-4).</summary>
    internal SolverTolerances TolerancesFor(ScalarType dtype) =>
        dtype == ScalarType.Float32
            ? new(Float32Tolerance, Float32RelativeTolerance, Math.Max(InfeasibilityTolerance, Float32InfeasibilityFloor))
            : new(Tolerance, RelativeTolerance, InfeasibilityTolerance);

    private const double Float32InfeasibilityFloor = 1e-4;

    /// <summary>Checks that every setting is in range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        RequirePositive(Tolerance, nameof(Tolerance));
        RequireNonNegative(RelativeTolerance, nameof(RelativeTolerance));
        RequirePositive(Float32Tolerance, nameof(Float32Tolerance));
        RequireNonNegative(Float32RelativeTolerance, nameof(Float32RelativeTolerance));
        RequirePositive(InfeasibilityTolerance, nameof(InfeasibilityTolerance));
        RequireNonNegative(ConvexityTolerance, nameof(ConvexityTolerance));
        RequirePositive(BackwardTolerance, nameof(BackwardTolerance));
        RequirePositive(Float32BackwardTolerance, nameof(Float32BackwardTolerance));
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (!(InaccurateToleranceFactor >= 1) || double.IsInfinity(InaccurateToleranceFactor))
            throw new ArgumentOutOfRangeException(nameof(InaccurateToleranceFactor), InaccurateToleranceFactor, "InaccurateToleranceFactor must be finite and at least 1.");
        if (EquilibrationIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(EquilibrationIterations), EquilibrationIterations, "EquilibrationIterations must be non-negative.");
    }

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
    }

    private static void RequireNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite.");
    }
}
