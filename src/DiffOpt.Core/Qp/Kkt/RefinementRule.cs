namespace DiffOpt.Qp;

/// <summary>
/// The stepping rule of the QP's iterative refinement (<see cref="KktSolver.SolveAccurately"/>), which every form of
/// it (tensor residuals, host residuals, item by item in <see cref="SchurRefinementKernel"/>) applies to each item on
/// its own: from the plain solve, while the item is active, it takes a step x + K̃⁻¹(b − Kx) for at most
/// <see cref="MaxSteps"/> steps (<see cref="RefinementItem"/> judges each one).
/// </summary>
/// <param name="MaxSteps">The most refinement steps an item takes.</param>
/// <param name="MinimumImprovement">The factor by which a step must shrink the residual for the item to go on.</param>
internal readonly record struct RefinementRule(int MaxSteps, double MinimumImprovement)
{
    /// <summary>
    /// The rule with <paramref name="maxSteps"/> steps and a minimum improvement of 2: an item whose step gains less has
    /// reached its residual's rounding floor (as PIQP's iterative refinement stops).
    /// </summary>
    public static RefinementRule WithSteps(int maxSteps) => new(maxSteps, 2.0);

    /// <summary>
    /// Each item's residual limit, ‖b‖∞ × <paramref name="relativeTolerance"/> rounded in the problem's precision
    /// (float32 when <paramref name="single"/>), as the product of a (B) tensor of that dtype and a scalar rounds it.
    /// </summary>
    public static double[] Limits(double[] rhsNorms, double relativeTolerance, bool single) =>
        rhsNorms.Select(norm => single ? (double)((float)norm * (float)relativeTolerance) : norm * relativeTolerance).ToArray();

    /// <summary>An item's state after its plain solve, whose residual norm is <paramref name="norm"/>.</summary>
    public RefinementItem Start(double norm, double limit) => new(norm, limit, MinimumImprovement);
}

/// <summary>One item's refinement under a <see cref="RefinementRule"/>: its residual norm and whether it takes another step.</summary>
internal struct RefinementItem
{
    private readonly double _limit, _minimumImprovement;

    /// <summary>The state after a solution with residual norm <paramref name="norm"/>: active while the norm exceeds <paramref name="limit"/>.</summary>
    public RefinementItem(double norm, double limit, double minimumImprovement)
    {
        (Norm, _limit, _minimumImprovement) = (norm, limit, minimumImprovement);
        Active = norm > limit;
    }

    /// <summary>The residual norm of the item's kept solution.</summary>
    public double Norm { get; private set; }

    /// <summary>Whether the item takes another step (the caller also bounds the steps by <see cref="RefinementRule.MaxSteps"/>).</summary>
    public bool Active { get; private set; }

    /// <summary>
    /// Judges a step whose candidate has residual norm <paramref name="candidateNorm"/> (only for an active item): true
    /// when the candidate is kept (it lowers the residual; a step that does not is discarded). The item stays active
    /// while the step shrank the residual by the minimum improvement and the kept norm is above the limit.
    /// </summary>
    public bool Offer(double candidateNorm)
    {
        bool better = candidateNorm < Norm;
        bool progressing = candidateNorm * _minimumImprovement < Norm;
        if (better) Norm = candidateNorm;
        Active = progressing && Norm > _limit;
        return better;
    }
}
