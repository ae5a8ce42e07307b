using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Layers;

/// <summary>
/// A parameter-free <see cref="nn.Module"/> whose output is the solution of the batch of QPs
/// minimize ½zᵀQz + pᵀz s.t. Gz ≤ h, Az = b built from its inputs (OptNet's layer). Gradients flow to every
/// input that requires grad through <see cref="QpFunction"/>.
/// </summary>
public sealed class QpLayer : nn.Module<Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, Tensor>
{
    /// <summary>Creates the layer with the given solver options (the defaults when null).</summary>
    /// <param name="options">Solver options used for every forward pass.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public QpLayer(QpSolverOptions? options = null) : base(nameof(QpLayer))
    {
        Options = options ?? QpSolverOptions.Default;
        Options.Validate();
    }

    /// <summary>The solver options of this layer.</summary>
    public QpSolverOptions Options { get; }

    /// <summary>
    /// The work memory this layer's forward passes reuse (see <see cref="QpWorkspace"/>: a pass's buffers return to it
    /// when the dispose scope that holds the pass's result ends); freed when the layer is disposed.
    /// </summary>
    public QpWorkspace Workspace { get; } = new();

    /// <summary>
    /// The report of the last forward pass (statuses, residuals, polishing) and, once its backward pass has run, of
    /// the gradient's check per item; null before the first forward pass.
    /// </summary>
    public QpSolveReport? LastReport { get; private set; }

    /// <summary>Returns z* (B,n) for the batch; arguments as in <see cref="QpFunction.Apply"/>.</summary>
    public override Tensor forward(Tensor Q, Tensor p, Tensor? G, Tensor? h, Tensor? A, Tensor? b)
    {
        var report = new QpSolveReport();
        var z = QpFunction.Apply(Q, p, G, h, A, b, Options, report, workspace: Workspace);
        LastReport = report;
        return z;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Workspace.Dispose();
        base.Dispose(disposing);
    }
}
