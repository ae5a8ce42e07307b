using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Polishing of interior-point solutions (OSQP: Stellato et al., "OSQP: an operator splitting solver for quadratic
/// programs", 2020, §5.2; PIQP does the same): the interior-point iterate is only within the tolerance of the
/// solution, but its active set is usually the solution's. Fixing that active set, the solution solves the
/// equality-constrained KKT system
/// <code>
///   Px + c + Aᵀy + G_𝒜ᵀz_𝒜 = 0,   Ax = b,   G_𝒜x = h_𝒜,   z_ℐ = 0
/// </code>
/// which one Newton step from the iterate solves exactly (it is linear), taken with iterative refinement against the
/// unregularised system. The polished point replaces the iterate only where its residuals, checked on the problem's
/// data with their rounding noise, are better than the iterate's (a wrong active set shows up as a violated
/// inactive row or, once negative multipliers are clipped, a dual residual); nondegenerate problems then come back
/// exact to about the rounding of the KKT system rather than to the tolerance, and so do their gradients.
/// </summary>
internal static class Polishing
{
    private const int MaxRefinementSteps = 20;

    /// <summary>
    /// The iterate after polishing, which items took the polished point, which of those meet the tolerance, and, when
    /// every item took it, the check of the returned points on the problem polished (<see cref="SolutionResiduals"/>).
    /// </summary>
    public sealed record Outcome(QpIterate Iterate, Tensor Accepted, Tensor? AcceptedAndSolved = null, SolutionResiduals? CheckOfIterate = null);

    /// <summary>
    /// Polishes the items in <paramref name="candidates"/> (B,) of the scaled iterate <paramref name="it"/> with the
    /// problem's KKT solver <paramref name="kkt"/> (refactorised here, with the weights the backward pass uses at a
    /// polished point, so that it can reuse the factorisation). <paramref name="ratioBefore"/> (B,) is the worst
    /// measure / limit of the interior-point check of each item's point, which the polished point must beat.
    /// </summary>
    public static Outcome Apply(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, KktSolver kkt, QpIterate it,
        Tensor candidates, Tensor ratioBefore, SolverTolerances tol)
    {
        using var phase = PhaseTimer.Measure("polishing (the rest)", qp.BatchSize);
        if (!HostMask.Any(candidates)) return new Outcome(it, candidates);
        var limits = NumericLimits.For(qp.C.dtype);
        var active = ActiveSetKkt.ActiveRows(it);
        var noMultiplier = zeros_like(it.Z);
        var z = where(active, it.Z, noMultiplier);
        var (px, ax, gx, force) = qp.ResidualProducts(it.X, it.Y, z);
        var rhs = new KktVector(-(px.Plus(qp.C).Plus(force)), qp.B - ax, where(active, qp.H - gx, noMultiplier));

        var floor = ScalarSafeOperations.With(limits.RegularizationFloor, s => full(qp.BatchSize, s, qp.C.dtype, qp.C.device));
        ActiveSetKkt.Factor(kkt, ActiveSetKkt.Weights(active, it.Z.FullLike(limits.DerivativeWeightFloor)), floor);
        var exact = new KktParameters(zeros_like(floor), zeros_like(floor), ActiveSetKkt.Weights(active, noMultiplier));
        var (step, _) = kkt.SolveAccurately(exact, rhs, MaxRefinementSteps, 10 * limits.MachineEpsilon);

        var x = it.X.Plus(step.X);
        var polished = new QpIterate(x, it.Y.Plus(step.Y),
            where(active, z.Plus(step.Z).AtLeast(0L), noMultiplier),
            where(active, noMultiplier, (qp.H - qp.Gx(x)).AtLeast(0L)));
        var after = Check(problem, scaling, polished);
        bool finite = ProximalTermsKernel.Applies(polished.X, polished.Y, polished.Z, polished.S) && ProximalTermsKernel.AllFinite(polished);
        var accepted = (finite ? candidates : candidates & polished.IsFinite()) & (after.WorstRatio(tol) < ratioBefore);
        var solved = accepted & after.Meets(tol);
        bool allAccepted = HostMask.OnHost(accepted) && HostMask.All(accepted);
        return new Outcome(polished.Where(accepted, it), accepted, solved, allAccepted ? after : null);
    }

    private static SolutionResiduals Check(QpProblem problem, RuizEquilibration scaling, QpIterate it) =>
        SolutionResiduals.Evaluate(problem, scaling.UnscalePrimal(it.X), scaling.UnscaleInequalityDual(it.Z), scaling.UnscaleEqualityDual(it.Y));
}
