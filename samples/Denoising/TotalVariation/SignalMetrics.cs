using DiffOpt.Native;
using static TorchSharp.torch;

namespace Denoising.TotalVariation;

/// <summary>Error measures of denoised signals.</summary>
public static class SignalMetrics
{
    /// <summary>Mean squared error over every signal and every sample (the paper's "MSE").</summary>
    /// <exception cref="ArgumentException">The shapes differ or are empty.</exception>
    public static double MeanSquaredError(Tensor predicted, Tensor clean)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(clean);
        if (!predicted.shape.SequenceEqual(clean.shape) || predicted.numel() == 0)
            throw new ArgumentException($"predicted ({string.Join(", ", predicted.shape)}) and clean ({string.Join(", ", clean.shape)}) must have the same non-empty shape.", nameof(predicted));
        using var scope = NewDisposeScope();
        return (predicted.to(ScalarType.Float64) - clean.to(ScalarType.Float64)).pow(ScalarSafeOperations.Two).mean().item<double>();
    }
}
