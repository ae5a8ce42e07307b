using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// softplus(x) = log(1 + eˣ) with PyTorch's defaults (β = 1, threshold 20) and scalars that stay alive for the whole
/// native call (DiffOpt.Native.ScalarSafeOperations has the why).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's public <c>softplus(double, double)</c> converts both numbers to temporary scalars; its private
/// overload taking scalars is called here with rooted ones, so libtorch runs the same kernel with the same values.
/// </remarks>
internal static class ScalarSafeSoftplus
{
    private static readonly Scalar Beta = 1.0.ToScalar();
    private static readonly Scalar Threshold = 20.0.ToScalar();

    private static readonly Func<Tensor, Scalar, Scalar, Tensor> WithScalars =
        (typeof(Tensor).GetMethod("softplus1", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Scalar), typeof(Scalar)])
            ?? throw new MissingMethodException(typeof(Tensor).FullName, "softplus1"))
        .CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>();

    /// <summary>softplus(<paramref name="x"/>) elementwise, as <c>nn.functional.softplus(x)</c>.</summary>
    public static Tensor Of(Tensor x) => WithScalars(x, Beta, Threshold);
}
