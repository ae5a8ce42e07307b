using DiffOpt.InteriorPoint;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Settings of <see cref="ConeProgramSolver"/> (immutable; change with <c>with</c>). An item counts as solved when its
/// primal residual, dual residual and duality gap, recomputed on the original data, each meet the absolute or the
/// relative tolerance of the data's dtype (<see cref="ConeProgramSolution"/> defines them, after Clarabel).
/// </summary>
public sealed record ConeProgramSolverOptions
{
    /// <summary>The defaults.</summary>
    public static ConeProgramSolverOptions Default { get; } = new();

    /// <summary>Absolute tolerance of the residuals and the gap for float64 data. Default 1e-8.</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Relative tolerance (times each measure's normaliser) for float64 data. Default 1e-8.</summary>
    public double RelativeTolerance { get; init; } = 1e-8;

    /// <summary>Absolute tolerance for float32 data. Default 1e-5.</summary>
    public double Float32Tolerance { get; init; } = 1e-5;

    /// <summary>Relative tolerance for float32 data. Default 1e-5.</summary>
    public double Float32RelativeTolerance { get; init; } = 1e-5;

    /// <summary>Interior-point iterations per item at most. Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// Relative accuracy ε of infeasibility certificates: a primal-infeasibility certificate y ∈ K* has
    /// ‖Aᵀy‖∞ ≤ ε·(−bᵀy), a dual-infeasibility certificate (x, s ∈ K) has max(‖Px‖∞, ‖Ax + s‖∞) ≤ ε·(−cᵀx), and
    /// either needs −bᵀy (−cᵀx) of at least ε times the certificate's infinity norm. Default 1e-8 (float32: at least 1e-5).
    /// </summary>
    public double InfeasibilityTolerance { get; init; } = 1e-8;

    /// <summary>
    /// An item stopped by the iteration limit or by a stalled step is <see cref="SolverStatus.Inaccurate"/> rather than
    /// <see cref="SolverStatus.MaxIterations"/> or <see cref="SolverStatus.NumericalError"/> when its measures meet the
    /// tolerances times this factor. Default 1e3. A stalled item returns the iterate that came closest to the
    /// tolerances, not its last one (near the reachable accuracy a short step can raise the residuals).
    /// </summary>
    public double InaccurateToleranceFactor { get; init; } = 1e3;

    /// <summary>
    /// Throw <see cref="SolveFailedException"/> when some item has no usable solution (neither
    /// <see cref="SolverStatus.Solved"/> nor <see cref="SolverStatus.Inaccurate"/>), as the QP solver does. Default false.
    /// </summary>
    public bool ThrowOnFailure { get; init; }

    /// <summary>
    /// Extra iterations the CPU kernel takes after an item first meets the tolerances (a polish), for programs with a
    /// second-order or PSD cone but no exponential cone: each is kept only when the item still counts as solved
    /// afterwards, otherwise the last solved point is returned. Near the optimum every step shrinks the gap several-fold,
    /// and on curved cones x is off by roughly the gap's order at the stopping point, so two steps buy several times the
    /// accuracy in x for about a tenth more iterations (measured: a third step made the SOCP benchmark's x no closer).
    /// Programs with only zero and nonnegative cones are not polished (measured: their x is within 1e-5 of diffcp's at
    /// the first solved point, and the extra steps cost half again the solve there). Default 2; 0 stops at the first
    /// solved point as the tensor path does.
    /// </summary>
    public int PolishIterations { get; init; } = 2;

    /// <summary>
    /// The polish of programs with an exponential cone (<see cref="PolishIterations"/> for the others): this many
    /// centring steps of length at least ½ after an item first meets the tolerances (shorter ones are not counted; at
    /// most three times this many steps in all), each a Newton step towards the central path that halves μ, with the
    /// exponential cones' dual scaling, kept only when the item still counts as solved. At the
    /// first solved point an exponential triple's x can sit up to √(μ·x) off its optimum along the curved boundary;
    /// measured on the cvxpylayers softmax case (64 items) x was off softmax by 1.5e-5 (max) unpolished and by 5.7e-6,
    /// 2.2e-7 and 2.9e-8 after 2, 3 and 4 centring steps (median 1e-8, 7e-10, 1e-10). Default 3; 0 stops at the first
    /// solved point as the tensor path does.
    /// </summary>
    public int ExponentialPolishIterations { get; init; } = 3;

    /// <summary>Checks every setting's range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; ParamName names it.</exception>
    public void Validate()
    {
        Positive(Tolerance, nameof(Tolerance));
        Positive(RelativeTolerance, nameof(RelativeTolerance));
        Positive(Float32Tolerance, nameof(Float32Tolerance));
        Positive(Float32RelativeTolerance, nameof(Float32RelativeTolerance));
        Positive(InfeasibilityTolerance, nameof(InfeasibilityTolerance));
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (PolishIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(PolishIterations), PolishIterations, "PolishIterations must not be negative.");
        if (ExponentialPolishIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(ExponentialPolishIterations), ExponentialPolishIterations,
                "ExponentialPolishIterations must not be negative.");
        if (!(InaccurateToleranceFactor >= 1) || double.IsInfinity(InaccurateToleranceFactor))
            throw new ArgumentOutOfRangeException(nameof(InaccurateToleranceFactor), InaccurateToleranceFactor,
                "InaccurateToleranceFactor must be finite and at least 1.");
    }

    /// <summary>The tolerances for data of <paramref name="dtype"/>.</summary>
    internal SolverTolerances TolerancesFor(ScalarType dtype) => dtype == ScalarType.Float32
        ? new(Float32Tolerance, Float32RelativeTolerance, Math.Max(InfeasibilityTolerance, 1e-5))
        : new(Tolerance, RelativeTolerance, InfeasibilityTolerance);

    /// <summary>Throws naming <paramref name="name"/> unless <paramref name="value"/> is positive and finite.</summary>
    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
    }
}
