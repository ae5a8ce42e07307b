using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>
/// Training through a convex layer. The data: labels are the clipped projection clip(a, −1, 1) of a = W·features + c,
/// exactly what features → linear → box projection can represent (RoundTripRow's labels are built that way).
/// </summary>
public sealed class ConvexLayerTrainerTests : IDisposable
{
    private static readonly string[] OutputColumns = ["Score", "ScoreStatus", "ScoreParameters"];
    private readonly string _folder = Directory.CreateTempSubdirectory("diffopt-convex-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Scored
    {
        [VectorType(RoundTripRow.LabelSize)] public float[] Label { get; set; } = [];
        [VectorType(RoundTripRow.LabelSize)] public float[] Score { get; set; } = [];
        public uint ScoreStatus { get; set; }
        [VectorType(RoundTripRow.LabelSize)] public float[] ScoreParameters { get; set; } = [];
    }

    private static (Problem Problem, Parameter A, Variable X) BoxProjection()
    {
        var a = new Parameter(RoundTripRow.LabelSize, "a");
        var x = new Variable(RoundTripRow.LabelSize, "x");
        return (Problem.Minimize(SumSquares(x - a), x >= -1, x <= 1), a, x);
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, ConvexLayerTrainer.Options options) =>
        ml.Transforms.Concatenate("Features", "A", "B").Append(ml.DiffOpt().Trainers.ConvexLayer(options));

    private static ConvexLayerTrainer.Options Options(int epochs)
    {
        var (problem, _, x) = BoxProjection();
        return new ConvexLayerTrainer.Options { Problem = problem, Decision = x, NumberOfEpochs = epochs, BatchSize = 16, LearningRate = 0.05, Seed = 3 };
    }

    private static double DecisionMse(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false)
            .SelectMany(r => r.Score.Zip(r.Label, (s, l) => (double)(s - l) * (s - l))).Average();

    [Fact]
    public void TrainingThroughTheLayer_FitsHeldOutDecisions()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(160, seed: 1));
        var test = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(60, seed: 2));
        double before = DecisionMse(ml, Pipeline(ml, Options(epochs: 1) with { LearningRate = 1e-9 }).Fit(train), test);
        var epochs = new List<QpTrainingProgress>();
        var model = Pipeline(ml, Options(epochs: 25) with { Progress = new SynchronousProgress(epochs.Add) }).Fit(train);
        double after = DecisionMse(ml, model, test);
        Assert.Equal(25, epochs.Count);
        Assert.True(after < 0.1 * before, $"held-out decision MSE {before:G4} → {after:G4}");
        Assert.All(ml.Data.CreateEnumerable<Scored>(model.Transform(test), reuseRowObject: false), r => Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), r.ScoreStatus));
    }

    [Fact]
    public void ATaskLoss_IsWhatIsMinimised()
    {
        // Task: maximise ⟨decision, label⟩ over the box; the best decision is sign(label), reached through a → ±∞.
        var ml = new MLContext(seed: 1);
        var rows = RoundTripRow.Generate(120, seed: 5);
        var data = ml.Data.LoadFromEnumerable(rows);
        int calls = 0;
        var options = Options(epochs: 15) with
        {
            TaskLoss = (d, l) => { calls++; return -(d * l).sum(1).mean(); },
        };
        double Value(ITransformer m) => ml.Data.CreateEnumerable<Scored>(m.Transform(data), reuseRowObject: false)
            .Average(r => r.Score.Zip(r.Label, (s, l) => (double)s * l).Sum());
        double before = Value(Pipeline(ml, options with { NumberOfEpochs = 1, LearningRate = 1e-9 }).Fit(data));
        double after = Value(Pipeline(ml, options).Fit(data));
        double best = rows.Average(r => r.Label.Sum(l => Math.Abs((double)l)));
        Assert.True(calls > 0);
        Assert.True(after > before + 0.5 * (best - before), $"task value {before:G4} → {after:G4} (best {best:G4})");
    }

    [Fact]
    public void AParameterLoss_TrainsTheNetworkTwoStage()
    {
        var ml = new MLContext(seed: 1);
        var rows = RoundTripRow.Generate(160, seed: 6);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options(epochs: 30) with { ParameterLoss = (theta, label) => torch.nn.functional.mse_loss(theta, label) };
        var scored = ml.Data.CreateEnumerable<Scored>(Pipeline(ml, options).Fit(data).Transform(data), reuseRowObject: false).ToList();
        double mse = scored.SelectMany(r => r.ScoreParameters.Zip(r.Label, (p, l) => (double)(p - l) * (p - l))).Average();
        // The labels are clipped, so a linear map cannot fit them exactly: compare with the least-squares optimum.
        var design = torch.tensor(rows.SelectMany(r => r.A.Concat(r.B).Select(v => (double)v).Append(1)).ToArray(), [rows.Count, 6], torch.float64);
        var labels = torch.tensor(rows.SelectMany(r => r.Label.Select(v => (double)v)).ToArray(), [rows.Count, RoundTripRow.LabelSize], torch.float64);
        var solution = torch.linalg.lstsq(design, labels).Solution;
        double best = torch.nn.functional.mse_loss(design.matmul(solution), labels).item<double>();
        Assert.True(mse < 1.1 * best, $"parameter MSE {mse:G4}, least-squares optimum {best:G4}");
        // The decision column is the projection of the predicted parameters.
        foreach (var r in scored)
            ConvexSolvingTransformerTests.AssertClose(r.ScoreParameters.Select(p => Math.Clamp((double)p, -1, 1)).ToArray(), r.Score, 1e-4);
    }

    [Fact]
    public void WrongOptions_FailNamingWhatIsWrong()
    {
        var ml = new MLContext(seed: 1);
        var (problem, _, _) = BoxProjection();
        var error = Assert.Throws<ArgumentException>(() => ml.DiffOpt().Trainers.ConvexLayer(Options(1) with { Decision = new Variable(2, "z") }));
        Assert.Contains("'z'", error.Message);
        Assert.ThrowsAny<ArgumentException>(() => ml.DiffOpt().Trainers.ConvexLayer(Options(1) with { BatchSize = 0 }));
        var wrongLabel = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Concatenate("Features", "A").Append(ml.DiffOpt().Trainers.ConvexLayer(Options(1) with { LabelColumnName = "B" }))
                .Fit(ml.Data.LoadFromEnumerable(RoundTripRow.Generate(4, seed: 1))));
        Assert.Contains("'B'", wrongLabel.Message);
        Assert.NotNull(problem);
    }

    [Fact]
    public void TrainedModel_RoundTripsInAFreshProcess_WithIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var rows = RoundTripRow.Generate(40, seed: 8);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = Pipeline(ml, Options(epochs: 2)).Fit(data);
        var expected = RoundTripData.EncodeColumns(model.Transform(data), OutputColumns);
        var path = Path.Combine(_folder, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        Assert.Equal(expected, HelperProcess.Outputs(path, rows, OutputColumns, _folder));

        var damaged = Path.Combine(_folder, "damaged.zip");
        ModelFile.EditEntry(path, damaged, ModelFile.FindComponent(path, "DOCVXLYR") + "Model.key", bytes =>
        {
            var (_, payloadStart, length) = ModelFile.Description(bytes);
            bytes[payloadStart + length - 3] ^= 0x10; // inside the last weight
            return bytes;
        });
        var error = Assert.ThrowsAny<Exception>(() => ml.Model.Load(damaged, out _));
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains("SHA-256", messages);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            yield return x;
    }

    private sealed class SynchronousProgress(Action<QpTrainingProgress> report) : IProgress<QpTrainingProgress>
    {
        public void Report(QpTrainingProgress value) => report(value);
    }
}
