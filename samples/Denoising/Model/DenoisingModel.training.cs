using Denoising.Baseline;
using Denoising.Data;
using DiffOpt.Samples;
using Microsoft.ML;

namespace Denoising.Model;

public static partial class DenoisingModel
{
    /// <summary>Message of the placeholder below, until the DiffOpt.ML trainer exists.</summary>
    public const string TrainerMissing = "waiting for DiffOpt.ML trainer";

    /// <summary>
    /// Trains the learned total-variation layer on <paramref name="train"/>, reporting the test MSE on
    /// <paramref name="test"/> after each epoch.
    /// </summary>
    /// <remarks>
    /// PLACEHOLDER: this is where the DiffOpt.ML trainer ("learned total variation" model kind) plugs in:
    /// build the pipeline from <see cref="ToDataView"/> rows (Features → Score, Label as target) with D
    /// initialised per <see cref="DenoisingTrainingOptions.Init"/> and λ = <see cref="DenoisingTrainingOptions.Lambda"/>
    /// or, when that is null, λ tuned on <paramref name="train"/> with <c>LambdaSweep.Run</c> (as
    /// <c>tv-baseline --sweep</c>); fit it, and call <paramref name="onEpoch"/> with <see cref="Evaluate"/> on the
    /// test signals after each epoch.
    /// Until then it throws; nothing pretends to train.
    /// </remarks>
    /// <exception cref="NotImplementedException">Always, for now.</exception>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<SignalExample> train, IReadOnlyList<SignalExample> test,
        DenoisingTrainingOptions options, Action<DenoisingEpoch>? onEpoch = null) =>
        throw new NotImplementedException(TrainerMissing);

    /// <summary>Saves a trained model with <c>mlContext.Model.Save</c>, with the schema of <see cref="ModelInput"/>.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path) =>
        ModelFile.Save(mlContext, model, InputSchema(mlContext), path);
}
