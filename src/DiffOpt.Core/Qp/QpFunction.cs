using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DiffOpt.Qp;

/// <summary>
/// The differentiable QP solution map z*(Q, p, G, h, A, b) as a TorchSharp autograd function (OptNet).
/// The forward pass solves the batch with <see cref="QpSolver"/>; the backward pass differentiates the KKT
/// conditions at the solution with the solution's active set, in one new factorisation per batch whose solves are
/// refined and checked per item (see <see cref="QpSolveReport"/>).
/// </summary>
public sealed class QpFunction : SingleTensorFunction<QpFunction>
{
    private const string StateKey = "qp";
    private const string NeededKey = "needed";
    private const string ReportKey = "report";

    /// <summary>The function's name in the autograd graph.</summary>
    public override string Name => nameof(QpFunction);

    /// <summary>
    /// Solves minimize ½zᵀQz + pᵀz s.t. Gz ≤ h, Az = b for a batch and returns z* (B,n), differentiable with
    /// respect to every argument that requires grad. Arguments follow <see cref="QpSolver.Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?)"/>: unbatched
    /// ones are broadcast over the batch, and their gradient is the sum over the batch. Items that are not
    /// solved (see <see cref="SolverStatus"/>) contribute zero gradient, as do items whose backward solve misses its
    /// tolerance; <paramref name="report"/> says which (or set <see cref="QpSolverOptions.ThrowOnFailure"/>).
    /// </summary>
    /// <param name="Q">Quadratic term, (n,n) or (B,n,n), symmetric positive semidefinite.</param>
    /// <param name="p">Linear term, (n) or (B,n).</param>
    /// <param name="G">Inequality matrix, (m,n) or (B,m,n), or null.</param>
    /// <param name="h">Inequality right-hand side, (m) or (B,m); null exactly when G is. +∞ means no constraint (λ = 0, zero gradient for the row); −∞ makes the item <see cref="SolverStatus.PrimalInfeasible"/>.</param>
    /// <param name="A">Equality matrix, (k,n) or (B,k,n), or null.</param>
    /// <param name="b">Equality right-hand side, (k) or (B,k); null exactly when A is.</param>
    /// <param name="options">Solver options (the defaults when null).</param>
    /// <param name="report">When given, receives the forward solve's statuses and, after the backward pass, each item's backward residual and whether its gradient is trusted.</param>
    /// <param name="warmStart">Starting point of the forward solve (for example <see cref="QpWarmStart.From"/> of the previous
    /// call's solution), or null for the default start. It changes where the solver starts, not what it returns: the
    /// result meets the same tolerance, and the gradient is that of the returned point.</param>
    /// <param name="workspace">Work memory kept across calls (see <see cref="QpWorkspace"/>: the buffers of a call return to it
    /// when the dispose scope holding the result's backward state ends), or null for fresh memory every call.</param>
    /// <returns>The solutions z*, shape (B,n) (B = 1 when no argument is batched).</returns>
    /// <exception cref="ArgumentException">An argument is malformed; the message names it.</exception>
    public static Tensor Apply(Tensor Q, Tensor p, Tensor? G, Tensor? h, Tensor? A, Tensor? b, QpSolverOptions? options = null,
        QpSolveReport? report = null, QpWarmStart? warmStart = null, QpWorkspace? workspace = null)
    {
        var opts = options ?? QpSolverOptions.Default;
        opts.Validate();
        return apply(GradientHandOff.View(Q), GradientHandOff.View(p), GradientHandOff.View(G), GradientHandOff.View(h),
            GradientHandOff.View(A), GradientHandOff.View(b), opts, report ?? new QpSolveReport(), warmStart!, workspace!);
    }

    /// <inheritdoc/>
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        return TemporaryTensors.Hold<Tensor>(() =>
        {
            var inputs = vars.Take(6).Select(v => v as Tensor).ToArray();
            var options = (QpSolverOptions)vars[6];
            var report = (QpSolveReport)vars[7];
            var warmStart = vars[8] as QpWarmStart;
            var workspace = vars[9] as QpWorkspace;
            var problem = QpProblem.Create(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]);
            var result = QpSolver.SolveCore(problem, options, warmStart, workspace);
            report.Solution = result.Solution;
            ctx.save_data(StateKey, result.State);
            ctx.save_data(ReportKey, (report, options));
            ctx.save_data(NeededKey, inputs.Select(t => t is not null && t.requires_grad).ToArray());
            return result.Solution.X;
        });
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        return TemporaryTensors.Hold<List<Tensor>>(() =>
        {
            var state = (QpDerivativeState)ctx.get_data(StateKey);
            var needed = (bool[])ctx.get_data(NeededKey);
            var (report, options) = ((QpSolveReport, QpSolverOptions))ctx.get_data(ReportKey);
            double tolerance = grad_output.dtype == ScalarType.Float32 ? options.Float32BackwardTolerance : options.BackwardTolerance;
            var (grads, check) = QpSensitivity.Backward(state, grad_output, needed, tolerance);
            report.BackwardResidual = check.RelativeResidual.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            report.GradientTrusted = check.Trusted.cpu().data<bool>().ToArray();
            var result = grads.ToList();
            result.Add(null!); // the options argument
            result.Add(null!); // the report argument
            result.Add(null!); // the warm start argument
            result.Add(null!); // the workspace argument
            return result!;
        });
    }
}
