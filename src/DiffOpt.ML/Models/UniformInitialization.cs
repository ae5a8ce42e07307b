using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>Uniform initial weights in [−bound, bound) (PyTorch's default for linear layers) from draws in [0, 1).</summary>
internal static class UniformInitialization
{
    /// <summary>Maps <paramref name="unit"/> (draws in [0, 1)) in place to 2·bound·u − bound and returns it.</summary>
    public static Tensor Symmetric(Tensor unit, double bound) =>
        ScalarSafeOperations.With(bound, b => unit.TimesInPlace(2 * bound).sub_(b));
}
