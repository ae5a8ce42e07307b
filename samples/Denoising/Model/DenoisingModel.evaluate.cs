using DiffOpt.Samples;
using Denoising.Data;
using Denoising.TotalVariation;
using Microsoft.ML;
using static TorchSharp.torch;

namespace Denoising.Model;

public static partial class DenoisingModel
{
    /// <summary>Mean squared error of a model's output over every signal and sample of <paramref name="examples"/>.</summary>
    public static double Evaluate(MLContext mlContext, ITransformer model, IReadOnlyList<SignalExample> examples)
    {
        var outputs = ModelFile.Scores(model, ToDataView(mlContext, examples), ScoreColumn);
        using var scope = NewDisposeScope();
        return SignalMetrics.MeanSquaredError(SignalTensors.Stack(outputs), SignalTensors.Clean(examples));
    }
}
