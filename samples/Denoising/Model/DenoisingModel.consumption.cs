using Denoising.Data;
using DiffOpt.Samples;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Denoising.Model;

/// <summary>
/// The learned denoising layer in the shape ML.NET Model Builder generates: <see cref="ModelInput"/> and
/// <see cref="ModelOutput"/> classes, a consumption part (this file), a training part
/// (DenoisingModel.training.cs) and an evaluation part (DenoisingModel.evaluate.cs).
/// </summary>
public static partial class DenoisingModel
{
    /// <summary>Name of the output column: the denoised signal.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>One row of input: a noisy signal and, when known, the clean one.</summary>
    public sealed class ModelInput
    {
        /// <summary>The noisy signal x (100 samples).</summary>
        [VectorType(SignalGenerator.Length)]
        public float[] Features { get; set; } = new float[SignalGenerator.Length];

        /// <summary>The clean signal y (zeros when unknown).</summary>
        [VectorType(SignalGenerator.Length)]
        public float[] Label { get; set; } = new float[SignalGenerator.Length];

        /// <summary>The input row of an example.</summary>
        public static ModelInput From(SignalExample example)
        {
            ArgumentNullException.ThrowIfNull(example);
            return new ModelInput { Features = example.Noisy, Label = example.Clean };
        }
    }

    /// <summary>One row of output: the denoised signal.</summary>
    public sealed class ModelOutput
    {
        /// <summary>The estimate of the clean signal (100 samples).</summary>
        [ColumnName(ScoreColumn)]
        [VectorType(SignalGenerator.Length)]
        public float[] Score { get; set; } = [];
    }

    /// <summary>Denoises one signal.</summary>
    public static ModelOutput Predict(MLContext mlContext, ITransformer model, float[] noisy)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        // The engine must not dispose the model (ML.NET disposes a disposable transformer with its engine by default).
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return engine.Predict(new ModelInput { Features = noisy });
    }

    /// <summary>Loads a saved model and checks that it maps <see cref="ModelInput"/> rows to a <see cref="ScoreColumn"/> of 100 floats.</summary>
    /// <exception cref="SampleException">The file is missing, unreadable, or not a denoising model.</exception>
    public static ITransformer Load(MLContext mlContext, string path) =>
        ModelFile.Load(mlContext, path, InputSchema(mlContext), ScoreColumn, SignalGenerator.Length, "denoising model");

    /// <summary>The schema of <see cref="ModelInput"/> rows.</summary>
    public static DataViewSchema InputSchema(MLContext mlContext) => ModelFile.InputSchema<ModelInput>(mlContext);

    /// <summary>Turns examples into an ML.NET data view of <see cref="ModelInput"/> rows.</summary>
    public static IDataView ToDataView(MLContext mlContext, IEnumerable<SignalExample> examples)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(examples.Select(ModelInput.From).ToList());
    }
}
