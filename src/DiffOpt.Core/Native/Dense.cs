using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Contiguous operands for the CPU kernels without a new tensor when none is needed: TorchSharp's
/// <c>contiguous()</c> always returns a new handle (an alias when the tensor is contiguous already), which costs a
/// native call, a managed object and a dispose-scope entry; at small batch sizes those dominate a kernel call.
/// </summary>
internal static class Dense
{
    /// <summary><paramref name="tensor"/> itself when it is contiguous, else its contiguous copy.</summary>
    public static Tensor Of(Tensor tensor) => tensor.is_contiguous() ? tensor : tensor.contiguous();
}
