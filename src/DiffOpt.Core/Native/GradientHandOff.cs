using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Lets an autograd function's gradients reach leaf tensors without a copy.
/// </summary>
/// <remarks>
/// TorchSharp keeps a managed reference to each gradient a custom function's backward returns, so when the input is a
/// leaf, libtorch's gradient accumulation finds the gradient shared and copies it: for a batch of matrices a full pass
/// over (B, m, n) data into freshly mapped pages after the backward has returned (65-115 ms of a 130-150 ms backward
/// of a B = 128, n = 100 QP). Handing the function a same-shape view of the argument puts the view's own backward
/// between them, and that backward gives the leaf a new view of the gradient, which it takes as is.
/// </remarks>
internal static class GradientHandOff
{
    /// <summary>A same-shape view of <paramref name="argument"/> when it requires grad (and grad mode is on), otherwise the argument itself.</summary>
    public static Tensor? View(Tensor? argument) =>
        argument is not null && argument.requires_grad && is_grad_enabled() ? argument.view(argument.shape) : argument;
}
