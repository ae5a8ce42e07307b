using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;

namespace DiffOpt.ML.Tests;

/// <summary>The per-epoch hook of <see cref="QpLayerTrainer"/>: progress plus an independent snapshot of the model.</summary>
public class EpochCallbackTests
{
    private static readonly List<(double[] Features, double[] Label)> Rows = SmallTraining.Rows;

    private static QpLayerTrainer.Options Small => SmallTraining.Options with { NumberOfEpochs = 3, Seed = 2 };

    [Fact]
    public void EpochCallback_ReceivesEveryEpoch_WithASnapshotThatLaterEpochsDoNotChange()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, Rows);
        var progress = new RecordingProgress();
        var epochs = new List<(QpTrainingEpoch Epoch, double[][] ScoresThen)>();
        var final = ml.DiffOpt().Trainers.QpLayer(Small).Fit(data, null, new QpTrainingMonitor
        {
            Progress = progress,
            EpochCallback = e => epochs.Add((e, VectorRows.Column(e.Model.Transform(data), "Score"))),
        });

        Assert.Equal([1, 2, 3], epochs.Select(e => e.Epoch.Progress.Epoch));
        Assert.Equal(progress.Reports, epochs.Select(e => e.Epoch.Progress));
        Assert.All(epochs, e => Assert.InRange(e.Epoch.Progress.EpochTrainingTime, TimeSpan.FromTicks(1), e.Epoch.Progress.Elapsed));
        foreach (var (epoch, scoresThen) in epochs)
            Assert.Equal(scoresThen, VectorRows.Column(epoch.Model.Transform(data), "Score")); // unchanged by later epochs
        Assert.NotEqual(epochs[0].ScoresThen, epochs[2].ScoresThen);
        Assert.Equal(VectorRows.Column(final.Transform(data), "Score"), epochs[2].ScoresThen);
        Assert.NotSame(final, epochs[2].Epoch.Model);
    }

    [Fact]
    public void Snapshot_IsSavedAndLoadedLikeAnyModel()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, Rows);
        QpLayerTransformer? first = null;
        ml.DiffOpt().Trainers.QpLayer(Small).Fit(data, null, new QpTrainingMonitor { EpochCallback = e => first ??= e.Model });
        using var stream = new MemoryStream();
        ml.Model.Save(first!, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        Assert.Equal(VectorRows.Column(first!.Transform(data), "Score"), VectorRows.Column(loaded.Transform(data), "Score"));
    }

    [Fact]
    public void ExceptionFromTheCallback_StopsTraining_AndPropagates()
    {
        var ml = new MLContext(seed: 1);
        var calls = 0;
        var trainer = ml.DiffOpt().Trainers.QpLayer(Small);
        var monitor = new QpTrainingMonitor { EpochCallback = _ => { calls++; throw new InvalidTimeZoneException("stop"); } };
        Assert.Throws<InvalidTimeZoneException>(() => trainer.Fit(VectorRows.Floats(ml, Rows), null, monitor));
        Assert.Equal(1, calls);
    }
}
