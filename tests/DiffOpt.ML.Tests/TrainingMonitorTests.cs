using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;

namespace DiffOpt.ML.Tests;

/// <summary>The runtime side of Fit: progress within an epoch, and epoch 0 (the untrained model) for learning curves.</summary>
public class TrainingMonitorTests
{
    [Fact]
    public void Progress_ArrivesWithinEpochs_WhenTheIntervalIsReached()
    {
        var ml = new MLContext(seed: 1);
        var progress = new RecordingProgress();
        ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options).Fit(VectorRows.Floats(ml, SmallTraining.Rows), null,
            new QpTrainingMonitor { Progress = progress, BatchProgressInterval = TimeSpan.Zero, IncludeEpochZero = true });

        // 30 rows in batches of 10: reports after batches 1 and 2 of each epoch, then the epoch's end; epoch 0's
        // batches are the forward passes measuring the initial loss.
        Assert.Equal([(0, 1, false), (0, 2, false), (0, 3, true), (1, 1, false), (1, 2, false), (1, 3, true), (2, 1, false), (2, 2, false), (2, 3, true)],
            progress.Reports.Select(r => (r.Epoch, r.BatchesCompleted, r.IsEpochEnd)));
        Assert.All(progress.Reports, r => Assert.Equal(3, r.BatchCount));
        Assert.All(progress.Reports, r => Assert.True(double.IsFinite(r.TrainingLoss)));
        Assert.Contains("batch 1/3", progress.Reports[0].ToString());
    }

    [Fact]
    public void EpochZero_ReportsTheUntrainedModel_WhoseLossTheEvaluatorReproduces()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, SmallTraining.Rows);
        var epochs = new List<QpTrainingEpoch>();
        ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options).Fit(data, data,
            new QpTrainingMonitor { IncludeEpochZero = true, EpochCallback = epochs.Add });

        Assert.Equal([0, 1, 2], epochs.Select(e => e.Progress.Epoch));
        var zero = epochs[0];
        Assert.True(zero.Progress.IsEpochEnd);
        // The default loss is the MSE over every entry: the evaluator's MSE of the epoch-0 snapshot on the same rows.
        var metrics = ml.DiffOpt().Evaluate(zero.Model.Transform(data));
        Assert.Equal(metrics.MeanSquaredError, zero.Progress.TrainingLoss, 1e-5);
        Assert.Equal(metrics.MeanSquaredError, zero.Progress.ValidationLoss!.Value, 1e-5);
        Assert.True(epochs[2].Progress.ValidationLoss < zero.Progress.ValidationLoss);
        foreach (var epoch in epochs)
            epoch.Model.Dispose();
    }
}
