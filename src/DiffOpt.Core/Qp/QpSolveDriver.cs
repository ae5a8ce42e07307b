using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Runs the interior-point method on a scaled batch: first with the KKT solver <see cref="KktSolver.Create"/>
/// picks (the fast fixed-regularisation form where the batch is strongly convex), then, for the items that
/// stalled there, once more on just those items with the adaptive PIQP form, whose vanishing regularisation
/// lets infeasibility be certified. The results are merged back into batch order.
/// </summary>
internal static class QpSolveDriver
{
    public static IpmResult Run(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, QpIterate? warmStart = null)
    {
        var limits = NumericLimits.For(qp.C.dtype);
        var first = ProximalInteriorPoint.Solve(problem, qp, scaling, options, KktSolver.Create(qp, limits), warmStart);
        var stalled = (first.Status == ProximalInteriorPoint.Stalled).nonzero().squeeze(-1);
        if (stalled.shape[0] == 0) return first;

        var subQp = qp.Select(stalled);
        var second = ProximalInteriorPoint.Solve(problem.Select(stalled), subQp, scaling.Select(stalled), options, new PrimalKktSolver(subQp),
            iterationsSpent: first.Iterations.index_select(0, stalled));
        var iterate = new QpIterate(
            first.Iterate.X.index_copy(0, stalled, second.Iterate.X),
            first.Iterate.Y.index_copy(0, stalled, second.Iterate.Y),
            first.Iterate.Z.index_copy(0, stalled, second.Iterate.Z),
            first.Iterate.S.index_copy(0, stalled, second.Iterate.S));
        var status = first.Status.index_copy(0, stalled, second.Status);
        var iterations = first.Iterations.index_copy(0, stalled, second.Iterations);
        var checkRatio = first.CheckRatio.index_copy(0, stalled, second.CheckRatio);
        return new IpmResult(iterate, status, iterations, checkRatio, first.Kkt);
    }
}
