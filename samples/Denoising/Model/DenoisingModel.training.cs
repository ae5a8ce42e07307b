using Denoising.Baseline;
using Denoising.Data;
using Denoising.TotalVariation;
using DiffOpt.ML;
using DiffOpt.Samples;
using Microsoft.ML;

namespace Denoising.Model;

public static partial class DenoisingModel
{
    /// <summary>
    /// Trains the learned total-variation layer on <paramref name="train"/> with the DiffOpt.ML trainer, reporting
    /// after each epoch the training MSE, the MSE on <paramref name="test"/> and the seconds spent training.
    /// </summary>
    /// <remarks>
    /// The pipeline is a single trainer: <c>mlContext.DiffOpt().Trainers.QpLayer</c> with a
    /// <see cref="TotalVariationQpModel"/>, reading the noisy signal (Features) and the clean one (Label) and
    /// writing the layer's output (Score). The test MSE after each epoch is the trainer's validation loss on
    /// <paramref name="test"/> (the validation data of <see cref="QpLayerTrainer.Fit(IDataView, IDataView?, QpTrainingMonitor?)"/>;
    /// the loss is the MSE over every signal and sample, the paper's metric), starting with the untrained model (epoch 0).
    /// λ must be resolved first (see <see cref="StartingLambda"/>).
    /// </remarks>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="train">Training signals.</param>
    /// <param name="test">Test signals, scored after every epoch (may be empty: no per-epoch test MSE).</param>
    /// <param name="options">The setup; <see cref="DenoisingTrainingOptions.Lambda"/> must be set.</param>
    /// <param name="onEpoch">Receives each epoch's result (epoch 0 first), or null.</param>
    /// <param name="onBatches">Receives progress within long epochs (every <paramref name="batchReportInterval"/>), or null.</param>
    /// <param name="batchReportInterval">Least time between two reports within an epoch; default 5 s.</param>
    /// <exception cref="ArgumentException">λ is missing or not positive, or another option is out of range.</exception>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<SignalExample> train, IReadOnlyList<SignalExample> test,
        DenoisingTrainingOptions options, Action<DenoisingEpoch>? onEpoch = null, Action<QpTrainingProgress>? onBatches = null,
        TimeSpan? batchReportInterval = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Lambda is not { } lambda)
            throw new ArgumentException("Lambda must be set (see DenoisingModel.StartingLambda).", nameof(options));
        bool fromTv = options.Init == DenoisingInit.TotalVariation;
        var trainer = mlContext.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
        {
            FeatureColumnName = nameof(ModelInput.Features),
            LabelColumnName = nameof(ModelInput.Label),
            ScoreColumnName = ScoreColumn,
            Model = new TotalVariationQpModel
            {
                DifferenceInit = fromTv ? DifferenceOperatorInit.FirstDifference : DifferenceOperatorInit.Random,
                InitialRegularization = lambda,
                LearnRegularization = fromTv,
                LearnAdaptiveWeights = fromTv && options.AdaptiveWeights,
                DifferenceBandwidth = options.DifferenceBandwidth,
            },
            NumberOfEpochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate ?? options.DefaultLearningRate,
            L1Penalty = fromTv ? 0 : options.DPenalty,
            Seed = options.Seed,
        });
        var monitor = new QpTrainingMonitor
        {
            IncludeEpochZero = onEpoch is not null,
            Progress = onEpoch is null && onBatches is null ? null : new SynchronousProgress<QpTrainingProgress>(p =>
            {
                if (!p.IsEpochEnd)
                    onBatches?.Invoke(p);
                else
                    onEpoch?.Invoke(new DenoisingEpoch(p.Epoch, p.TrainingLoss, p.ValidationLoss ?? double.NaN, p.EpochTrainingTime.TotalSeconds));
            }),
            EpochCallback = epoch => epoch.Model.Dispose(),
            BatchProgressInterval = batchReportInterval ?? new QpTrainingMonitor().BatchProgressInterval,
        };
        return trainer.Fit(ToDataView(mlContext, train), test.Count == 0 ? null : ToDataView(mlContext, test), monitor);
    }

    /// <summary>
    /// The λ training starts from: <paramref name="options"/>' λ when set; otherwise, from TV, the λ that gives the
    /// lowest MSE of exact total variation on <paramref name="tuning"/> (a coarse grid refined by golden-section
    /// search, as <c>tv-baseline --sweep</c>), and from random, the paper's 13.
    /// </summary>
    /// <param name="options">The setup.</param>
    /// <param name="tuning">Training signals to tune λ on.</param>
    /// <param name="onLambda">Receives each λ tried and its MSE, or null.</param>
    public static double StartingLambda(DenoisingTrainingOptions options, IReadOnlyList<SignalExample> tuning, Action<double, double>? onLambda = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tuning);
        if (options.Lambda is { } given) return given;
        if (options.Init == DenoisingInit.Random) return DenoisingTrainingOptions.PaperRandomInitLambda;
        using var noisy = SignalTensors.Noisy(tuning);
        using var clean = SignalTensors.Clean(tuning);
        return LambdaSweep.Run(new TotalVariationDenoiser(), noisy, clean, LambdaSweep.DefaultGrid, onLambda: onLambda).Best;
    }

    /// <summary>Saves a trained model with <c>mlContext.Model.Save</c>, with the schema of <see cref="ModelInput"/>.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path) =>
        ModelFile.Save(mlContext, model, InputSchema(mlContext), path);
}
