using DiffOpt.ML;
using DiffOpt.Samples;
using Microsoft.ML;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;

namespace SudokuStructuredPrediction.Model;

public static partial class SudokuModel
{
    /// <summary>
    /// Trains the OptNet Sudoku model on <paramref name="train"/> with the DiffOpt.ML trainer and reports, after each
    /// epoch, the mean training loss, the error on <paramref name="test"/> (see <see cref="SudokuEvaluation"/>) and
    /// the seconds spent training in the epoch.
    /// </summary>
    /// <remarks>
    /// The pipeline is a single trainer: <c>mlContext.DiffOpt().Trainers.QpLayer</c> with an
    /// <see cref="EqualityConstrainedQpModel"/>, reading the one-hot puzzle (Features) and the one-hot solution
    /// (Label) and writing the layer's output (Score). The test error after each epoch is computed on the trainer's
    /// per-epoch model snapshot (<see cref="QpTrainingMonitor.EpochCallback"/>), starting with the untrained model
    /// (epoch 0). <paramref name="onBatches"/> hears within long epochs (every <paramref name="batchReportInterval"/>).
    /// </remarks>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<SudokuExample> train,
        IReadOnlyList<SudokuExample> test, SudokuTrainingOptions options, Action<EpochResult>? onEpoch = null,
        Action<QpTrainingProgress>? onBatches = null, TimeSpan? batchReportInterval = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var trainer = mlContext.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
        {
            FeatureColumnName = nameof(ModelInput.Features),
            LabelColumnName = nameof(ModelInput.Label),
            ScoreColumnName = ScoreColumn,
            Model = new EqualityConstrainedQpModel { EqualityCount = options.EqualityCount, QuadraticWeight = options.QuadraticPenalty },
            NumberOfEpochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            Seed = options.Seed,
        });
        var monitor = new QpTrainingMonitor
        {
            IncludeEpochZero = onEpoch is not null && test.Count > 0,
            EpochCallback = onEpoch is null || test.Count == 0 ? null : epoch =>
            {
                using var model = epoch.Model;
                onEpoch(new EpochResult(epoch.Progress.Epoch, epoch.Progress.TrainingLoss, Evaluate(mlContext, model, test),
                    epoch.Progress.EpochTrainingTime.TotalSeconds));
            },
            Progress = onBatches is null ? null : new SynchronousProgress<QpTrainingProgress>(p =>
            {
                if (!p.IsEpochEnd)
                    onBatches(p);
            }),
            BatchProgressInterval = batchReportInterval ?? new QpTrainingMonitor().BatchProgressInterval,
        };
        return trainer.Fit(ToDataView(mlContext, train), null, monitor);
    }

    /// <summary>Saves a trained model with <c>mlContext.Model.Save</c>, with the schema of <see cref="ModelInput"/>.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path) =>
        ModelFile.Save(mlContext, model, InputSchema(mlContext), path);
}
