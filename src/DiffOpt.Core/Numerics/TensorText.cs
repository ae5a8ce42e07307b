using TorchSharp;

namespace DiffOpt.Numerics;

/// <summary>How tensors are named in error messages.</summary>
internal static class TensorText
{
    /// <summary>The shape as "(d0,d1,…)".</summary>
    public static string Shape(torch.Tensor tensor) => "(" + string.Join(",", tensor.shape) + ")";
}
