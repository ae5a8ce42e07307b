using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Runs the interior-point method on a scaled batch. Bound rows (every row of G with at most one nonzero, more
/// than n of them, n at least 32) take the primal form with a diagonal GᵀW⁻¹G (<see cref="BoxKktSolver"/>) for
/// the whole batch, since that structure is the same for every item. Otherwise the KKT form is chosen per item, from the item's own data
/// (<see cref="InequalitySchurKktSolver.Partition"/>): the items the fast fixed-regularisation Schur form serves run
/// with it, the others with the adaptive primal form, each part on its own. Within a part, the items that stalled
/// in the Schur form are solved once more, on their own, with the adaptive PIQP form, whose vanishing
/// regularisation lets infeasibility be certified. The results are merged back into batch order, so nothing an
/// item gets depends on its batch companions. Rows without a constraint (h = +∞, <see cref="QpProblem.FreeRows"/>)
/// get the multiplier 0.
/// </summary>
internal static class QpSolveDriver
{
    /// <summary>Runs the method (see the class remarks); the Schur form keeps its batch-sized matrices in <paramref name="buffers"/> when given.</summary>
    public static IpmResult Run(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, QpIterate? warmStart = null,
        BufferLease? buffers = null)
    {
        using var phase = PhaseTimer.Measure("interior-point loop (the rest)", qp.BatchSize);
        var result = RunPartitioned(problem, qp, scaling, options, warmStart, buffers);
        if (problem.FreeRows is not { } free) return result;
        return result with { Iterate = result.Iterate with { Z = result.Iterate.Z.FilledWhere(free, 0.0) } };
    }

    /// <summary>
    /// The box-row form has no per-item CPU step and residual kernels, so on small problems its tensor operations cost
    /// more than the m × m factorisation it saves: a 3-variable box projection trained in 4 s with it against 3 s with
    /// the Schur form; the denoising layer (n = 99) runs 3.5x faster with it.
    /// </summary>
    private const int BoxFormMinimumVariables = 32;

    /// <summary>Runs each item with the KKT form that serves it and merges the parts (see the class remarks).</summary>
    private static IpmResult RunPartitioned(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, QpIterate? warmStart,
        BufferLease? buffers)
    {
        if (qp.N >= BoxFormMinimumVariables && BoxKktSolver.TryCreate(qp) is { } box)
            return RunWithFallback(problem, qp, scaling, options, box, warmStart);
        var limits = NumericLimits.For(qp.C.dtype);
        var (served, factor) = InequalitySchurKktSolver.Partition(qp, limits, buffers);
        long schurItems = factor is null ? 0 : HostMask.Count(served);
        if (schurItems == qp.BatchSize)
            return RunWithFallback(problem, qp, scaling, options, InequalitySchurKktSolver.Create(qp, limits, factor!, buffers), warmStart);
        if (schurItems == 0)
            return RunWithFallback(problem, qp, scaling, options, new PrimalKktSolver(qp), warmStart);

        var schur = served.nonzero().squeeze(-1);
        var primal = (~served).nonzero().squeeze(-1);
        var schurQp = qp.Select(schur);
        var first = RunWithFallback(problem.Select(schur), schurQp, scaling.Select(schur), options,
            InequalitySchurKktSolver.Create(schurQp, limits, Batched.SelectItems(factor!, schur), buffers), warmStart?.Select(schur));
        var primalQp = qp.Select(primal);
        var second = RunWithFallback(problem.Select(primal), primalQp, scaling.Select(primal), options, new PrimalKktSolver(primalQp),
            warmStart?.Select(primal));
        var kkt = new PartitionedKktSolver(qp, [(schur, first.Kkt), (primal, second.Kkt)]);
        return first.Expand(schur, qp.BatchSize).Overwrite(primal, second) with { Kkt = kkt };
    }

    /// <summary>
    /// Runs the method with <paramref name="kkt"/>; the items that stalled there (only a fixed-regularisation
    /// solver lets items stall) are re-solved on their own with <see cref="PrimalKktSolver"/>.
    /// </summary>
    private static IpmResult RunWithFallback(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, KktSolver kkt,
        QpIterate? warmStart)
    {
        var first = ProximalInteriorPoint.Solve(problem, qp, scaling, options, kkt, warmStart);
        var stalledItems = first.Status.EqualTo(ProximalInteriorPoint.Stalled);
        if (!HostMask.Any(stalledItems)) return first;
        var stalled = stalledItems.nonzero().squeeze(-1);

        var subQp = qp.Select(stalled);
        var second = ProximalInteriorPoint.Solve(problem.Select(stalled), subQp, scaling.Select(stalled), options, new PrimalKktSolver(subQp),
            iterationsSpent: first.Iterations.index_select(0, stalled));
        return first.Overwrite(stalled, second);
    }
}
