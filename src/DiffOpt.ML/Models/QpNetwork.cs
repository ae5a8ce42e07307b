using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// A trainable network mapping features (B, d) to outputs (B, n), with the matrices the L1 penalty applies to.
/// <c>forward</c> opens no dispose scope of its own: the QP's autograd state refers to its intermediates until
/// the backward pass, so the caller's per-batch (or per-row) scope frees them.
/// </summary>
internal abstract class QpNetwork : nn.Module<Tensor, Tensor>
{
    protected QpNetwork(string name) : base(name)
    {
    }

    /// <summary>The learned matrices (not biases or scalars) that the L1 penalty of the trainer applies to.</summary>
    public abstract IEnumerable<Tensor> PenalizedMatrices { get; }
}
