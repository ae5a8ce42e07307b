using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>The training losses of <see cref="QpLayerLoss"/>, as functions (output, label) → scalar.</summary>
internal static class LossFunctions
{
    public static Func<Tensor, Tensor, Tensor> Create(QpLayerLoss loss) => loss switch
    {
        QpLayerLoss.MeanSquaredError => (output, label) => nn.functional.mse_loss(output, label),
        QpLayerLoss.MeanAbsoluteError => (output, label) => nn.functional.l1_loss(output, label),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown QpLayerLoss."),
    };
}
