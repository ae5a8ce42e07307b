using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>Options, seeding, progress, cancellation, schema and prediction behaviour of <see cref="QpLayerTrainer"/>.</summary>
public class QpLayerTrainerBehaviourTests
{
    private static readonly List<(double[] Features, double[] Label)> Rows = SmallTraining.Rows;

    private static QpLayerTrainer.Options Small => SmallTraining.Options;

    private sealed class IntRow
    {
        [VectorType(3)] public int[] Features { get; set; } = [];
        [VectorType(2)] public int[] Label { get; set; } = [];
    }

    private sealed class Example
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        [VectorType(2)] public float[] Score { get; set; } = [];
    }

    public static TheoryData<Func<QpLayerTrainer.Options, QpLayerTrainer.Options>, string> InvalidOptions => new()
    {
        { o => o with { NumberOfEpochs = 0 }, "NumberOfEpochs" },
        { o => o with { BatchSize = 0 }, "BatchSize" },
        { o => o with { LearningRate = 0 }, "LearningRate" },
        { o => o with { LearningRate = double.NaN }, "LearningRate" },
        { o => o with { L1Penalty = -1 }, "L1Penalty" },
        { o => o with { Optimizer = (QpLayerOptimizer)99 }, "Optimizer" },
        { o => o with { Loss = (QpLayerLoss)99 }, "Loss" },
        { o => o with { Precision = (QpLayerPrecision)99 }, "Precision" },
        { o => o with { FeatureColumnName = "" }, "FeatureColumnName" },
        { o => o with { SolverOptions = new Qp.QpSolverOptions { MaxIterations = 0 } }, "MaxIterations" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Options_AreCheckedWhenTheTrainerIsCreated(Func<QpLayerTrainer.Options, QpLayerTrainer.Options> change, string name)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsAny<ArgumentException>(() => ml.DiffOpt().Trainers.QpLayer(change(Small)));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Fit_ChecksTheModelAgainstTheColumnSizes()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, Rows); // 3 features, 2 labels
        var sizes = Assert.Throws<ArgumentException>(() => ml.DiffOpt().Trainers.QpLayer(labelColumnName: "Label", model: new EqualityConstrainedQpModel()).Fit(data));
        Assert.Contains("length 3", sizes.Message);
        Assert.Contains("label vector 2", sizes.Message);
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => ml.DiffOpt().Trainers.QpLayer(Small with { Model = new GenericQpModel { EqualityCount = 2 } }).Fit(data));
        Assert.Equal("EqualityCount", count.ParamName);
    }

    [Fact]
    public void Trainer_PassesConformanceChecks()
    {
        var ml = new MLContext(seed: 1);
        var invalid = ml.Data.LoadFromEnumerable(new[] { new IntRow { Features = [1, 2, 3], Label = [1, 2] } });
        EstimatorConformance.Check(ml, ml.DiffOpt().Trainers.QpLayer(Small), VectorRows.Floats(ml, Rows), invalid);
    }

    [Fact]
    public void Fit_IsReproducibleFromTheContextSeed()
    {
        double[][] Train(int contextSeed, int? seed = null)
        {
            var ml = new MLContext(seed: contextSeed);
            var data = VectorRows.Floats(ml, Rows);
            return VectorRows.Column(ml.DiffOpt().Trainers.QpLayer(Small with { Seed = seed }).Fit(data).Transform(data), "Score");
        }
        var first = Train(3);
        Assert.Equal(first, Train(3));
        Assert.NotEqual(first, Train(4));
        Assert.Equal(Train(5, seed: 9), Train(6, seed: 9));
    }

    [Fact]
    public void Fit_ReportsProgressToTheContextLogAndToIProgress()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var progress = new RecordingProgress();
        ml.DiffOpt().Trainers.QpLayer(Small)
            .Fit(VectorRows.Floats(ml, Rows), VectorRows.Floats(ml, Rows.Take(5)), new QpTrainingMonitor { Progress = progress });
        Assert.Equal(2, progress.Reports.Count);
        Assert.All(progress.Reports, r => Assert.NotNull(r.ValidationLoss));
        Assert.True(progress.Reports[1].Elapsed >= progress.Reports[0].Elapsed);
        Assert.Contains(messages, m => m.Contains("Epoch 1/2: training loss") && m.Contains("validation loss"));
        Assert.Contains(messages, m => m.Contains("Epoch 2/2"));
    }

    [Fact]
    public void Fit_StopsBetweenBatches_WhenTheTokenIsCanceled()
    {
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordingProgress(_ => cancellation.Cancel());
        var trainer = ml.DiffOpt().Trainers.QpLayer(Small with { NumberOfEpochs = 5 });
        var monitor = new QpTrainingMonitor { Progress = progress, CancellationToken = cancellation.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(VectorRows.Floats(ml, Rows), null, monitor));
        Assert.Single(progress.Reports);
    }

    [Fact]
    public void Fit_StopsWhenTheContextCancelsExecution()
    {
        // MLContext.CancelExecution is internal in ML.NET 5.0.1 and 6.0.0 (AutoML uses it); call it the way AutoML's assembly can.
        var ml = new MLContext(seed: 1);
        var cancel = typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        var progress = new RecordingProgress(_ => cancel.Invoke(ml, null));
        var trainer = ml.DiffOpt().Trainers.QpLayer(Small with { NumberOfEpochs = 5 });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(VectorRows.Floats(ml, Rows), null, new QpTrainingMonitor { Progress = progress }));
        Assert.Single(progress.Reports);
    }

    [Fact]
    public void Fit_SkipsRowsWithNaN_AndWarns()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { lock (warnings) warnings.Add(e.Message); };
        var rows = Rows.Append((new[] { double.NaN, 0, 0 }, new[] { 0.0, 0 })).ToList();
        var model = ml.DiffOpt().Trainers.QpLayer(Small with { NumberOfEpochs = 1 }).Fit(VectorRows.Floats(ml, rows));
        Assert.Contains(warnings, m => m.Contains("Skipped 1 training rows"));
        Assert.All(VectorRows.Column(model.Transform(VectorRows.Floats(ml, Rows)), "Score").SelectMany(v => v), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void L1Penalty_ShrinksTheLearnedMatrices()
    {
        double SumAbs(double penalty)
        {
            var ml = new MLContext(seed: 1);
            var data = VectorRows.Floats(ml, SyntheticData.EqualityTeacher(30, n: 4, k: 2, seed: 3));
            var model = ml.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
            {
                Model = new EqualityConstrainedQpModel { EqualityCount = 2 },
                NumberOfEpochs = 2,
                BatchSize = 10,
                LearningRate = 0.05,
                L1Penalty = penalty,
            }).Fit(data);
            return model.GetParameters()["A"].Values.Sum(Math.Abs);
        }
        Assert.True(SumAbs(1.0) < SumAbs(0.0));
    }

    [Fact]
    public void Float32Precision_TrainsAndPredicts_OnDoubleColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Doubles(ml, Rows);
        var model = QpLayerTrainerModelTests.FitAndCheckLearning(ml, data, Small with { Precision = QpLayerPrecision.Float32 });
        var output = model.Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), output.Schema["Score"].Type);
        Assert.All(VectorRows.Column(output, "Score").SelectMany(v => v), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void PredictionEngine_MatchesTransform_RowByRow()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, Rows);
        var model = ml.DiffOpt().Trainers.QpLayer(Small).Fit(data);
        var expected = VectorRows.Column(model.Transform(data), "Score");
        var engine = ml.Model.CreatePredictionEngine<Example, Scored>(model);
        for (var i = 0; i < 3; i++)
        {
            var score = engine.Predict(new Example { Features = Rows[i].Features.Select(v => (float)v).ToArray() }).Score;
            Assert.Equal(expected[i], score.Select(v => (double)v).ToArray(), new ToleranceComparer(1e-5));
        }
    }

    [Fact]
    public void RegisteredModule_TrainsAndSavesItsWeights()
    {
        var ml = new MLContext(seed: 1);
        RoundTripModules.Register(ml);
        var options = Small with { Model = new RegisteredModuleModel(RoundTripModules.BoxedLinearName) };
        var model = QpLayerTrainerModelTests.FitAndCheckLearning(ml, VectorRows.Floats(ml, Rows), options);
        var invalid = ml.Data.LoadFromEnumerable(new[] { new IntRow { Features = [1, 2, 3], Label = [1, 2] } });
        EstimatorConformance.Check(ml, ml.DiffOpt().Trainers.QpLayer(options), VectorRows.Floats(ml, Rows), invalid);
        Assert.Contains(model.GetParameters().Keys, k => k.Contains("weight"));
        Assert.All(VectorRows.Column(model.Transform(VectorRows.Floats(ml, Rows)), "Score").SelectMany(v => v),
            v => Assert.InRange(v, -1 - 1e-5, 1 + 1e-5)); // the module's QP keeps outputs in the box
    }

    [Fact]
    public void RegisteredModule_WithAnUnknownName_FailsWithAClearMessage()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ml.DiffOpt().Trainers.QpLayer(Small with { Model = new RegisteredModuleModel("never-registered") }).Fit(VectorRows.Floats(ml, Rows)));
        Assert.Contains("'never-registered'", error.Message);
        Assert.Contains("mlContext.DiffOpt().RegisterModule", error.Message);
    }

    [Fact]
    public void RegisteredModule_BelongsToTheMLContextItWasRegisteredOn()
    {
        var registered = new MLContext(seed: 1);
        RoundTripModules.Register(registered);
        var other = new MLContext(seed: 1);
        var model = new RegisteredModuleModel(RoundTripModules.BoxedLinearName);
        var trained = registered.DiffOpt().Trainers.QpLayer(Small with { Model = model }).Fit(VectorRows.Floats(registered, Rows));
        Assert.NotNull(trained);
        var error = Assert.Throws<InvalidOperationException>(() =>
            other.DiffOpt().Trainers.QpLayer(Small with { Model = model }).Fit(VectorRows.Floats(other, Rows)));
        Assert.Contains($"'{RoundTripModules.BoxedLinearName}'", error.Message);
    }
}
