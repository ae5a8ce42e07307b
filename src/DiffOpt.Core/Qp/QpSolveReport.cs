namespace DiffOpt.Qp;

/// <summary>
/// What a differentiable solve reports about each item of its batch: pass one to
/// <see cref="QpFunction.Apply(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor?, TorchSharp.torch.Tensor?, TorchSharp.torch.Tensor?, TorchSharp.torch.Tensor?, QpSolverOptions?, QpSolveReport?, QpWarmStart?, QpWorkspace?)"/>
/// (or read <see cref="Layers.QpLayer.LastReport"/>); the forward pass fills <see cref="Solution"/>, the backward pass
/// the gradient's check.
/// </summary>
/// <remarks>
/// The backward pass solves one KKT system per item. Its relative residual ‖r‖∞/‖rhs‖∞ after iterative refinement is
/// reported; an item above <see cref="QpSolverOptions.BackwardTolerance"/> is solved again with another factorisation,
/// and if it is still above, its gradient is set to zero and <see cref="GradientTrusted"/> says so: a gradient is never
/// silently wrong. Items without a usable solution (<see cref="SolverStatusExtensions.HasSolution"/>) are untrusted too.
/// </remarks>
public sealed class QpSolveReport
{
    /// <summary>The forward solve: statuses, residuals, duals and polishing per item; null before the forward pass.</summary>
    public QpSolution? Solution { get; internal set; }

    /// <summary>Per item, the relative residual of the backward KKT solve; null until the backward pass has run.</summary>
    public IReadOnlyList<double>? BackwardResidual { get; internal set; }

    /// <summary>
    /// Per item, whether its gradient can be trusted (a usable solution and a backward residual within the tolerance);
    /// the others got zero gradient. Null until the backward pass has run.
    /// </summary>
    public IReadOnlyList<bool>? GradientTrusted { get; internal set; }
}
