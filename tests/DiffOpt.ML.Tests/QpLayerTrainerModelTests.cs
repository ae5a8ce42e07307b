using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests;

/// <summary>Each built-in model trains (its loss falls) and its outputs solve the documented QP at the learned parameters.</summary>
public class QpLayerTrainerModelTests
{
    [Fact]
    public void EqualityConstrainedModel_LearnsAndOutputsFeasiblePoints()
    {
        var ml = new MLContext(seed: 7);
        var data = VectorRows.Floats(ml, SyntheticData.EqualityTeacher(60, n: 6, k: 2, seed: 1));
        var validation = VectorRows.Floats(ml, SyntheticData.EqualityTeacher(20, n: 6, k: 2, seed: 2));
        var model = FitAndCheckLearning(ml, data, new QpLayerTrainer.Options
        {
            Model = new EqualityConstrainedQpModel { EqualityCount = 2 },
            BatchSize = 10,
            LearningRate = 0.1,
        }, validation);
        var parameters = model.GetParameters();
        var (aShape, a) = parameters["A"];
        Assert.Equal(new long[] { 2, 6 }, aShape);
        var b = MatVec(a, 2, 6, parameters["log_z0"].Values.Select(Math.Exp).ToArray());
        foreach (var z in VectorRows.Column(model.Transform(data), "Score"))
        {
            Assert.All(z, v => Assert.True(v >= -1e-5, $"z = {v} < 0"));
            Assert.Equal(b, MatVec(a, 2, 6, z), new ToleranceComparer(1e-4));
        }
    }

    [Fact]
    public void TotalVariationModel_LearnsAndOutputsSatisfyOptimality()
    {
        var ml = new MLContext(seed: 7);
        var rows = SyntheticData.NoisySteps(60, n: 8, seed: 3);
        var data = VectorRows.Floats(ml, rows);
        var model = FitAndCheckLearning(ml, data, new QpLayerTrainer.Options
        {
            Model = new TotalVariationQpModel { InitialRegularization = 0.2 },
            BatchSize = 20,
            LearningRate = 0.02,
        });
        var parameters = model.GetParameters();
        var d = parameters["D"].Values;
        var lambda = Math.Exp(parameters["log_lambda"].Values[0]);
        Assert.NotEqual(0.2, lambda, 6); // λ is learned by default
        var outputs = VectorRows.Column(model.Transform(data), "Score");
        for (var r = 0; r < rows.Count; r++)
            AssertTotalVariationOptimal(rows[r].Features, outputs[r], d, lambda);
    }

    [Fact]
    public void AdaptiveTotalVariationModel_Learns_RoundTripsThroughModelSaveLoad_AndChecksItsWindow()
    {
        var ml = new MLContext(seed: 7);
        var data = VectorRows.Floats(ml, SyntheticData.NoisySteps(60, n: 8, seed: 5));
        var model = FitAndCheckLearning(ml, data, new QpLayerTrainer.Options
        {
            Model = new TotalVariationQpModel { InitialRegularization = 0.2, LearnAdaptiveWeights = true, AdaptiveWeightWindow = 3 },
            BatchSize = 20,
            LearningRate = 0.02,
        });
        var window = model.GetParameters()["weight_map.weight"];
        Assert.Equal(new long[] { 1, 1, 3 }, window.Shape);
        Assert.Contains(window.Values, w => w != 0); // the window moved away from its zero start

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        Assert.Equal(VectorRows.Column(model.Transform(data), "Score"), VectorRows.Column(loaded.Transform(data), "Score"));

        var even = Assert.Throws<ArgumentOutOfRangeException>(() => ml.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
        {
            Model = new TotalVariationQpModel { LearnAdaptiveWeights = true, AdaptiveWeightWindow = 4 },
        }).Fit(data));
        Assert.Equal("AdaptiveWeightWindow", even.ParamName);
    }

    [Fact]
    public void TotalVariationModel_WithFixedRegularization_StartsFromFirstDifferences()
    {
        var ml = new MLContext(seed: 7);
        var data = VectorRows.Floats(ml, SyntheticData.NoisySteps(20, n: 5, seed: 4));
        var model = ml.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options
        {
            Model = new TotalVariationQpModel { InitialRegularization = 0.5, LearnRegularization = false },
            NumberOfEpochs = 1,
            BatchSize = 20,
            LearningRate = 1e-9,
        }).Fit(data);
        var parameters = model.GetParameters();
        Assert.Equal(0.5, Math.Exp(parameters["log_lambda"].Values[0]), 12);
        var d = parameters["D"].Values;
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 5; j++)
                Assert.Equal(j == i ? -1 : j == i + 1 ? 1 : 0, d[i * 5 + j], 6);
    }

    [Fact]
    public void GenericModel_LearnsAndOutputsSatisfyLearnedConstraints()
    {
        var ml = new MLContext(seed: 7);
        var data = VectorRows.Doubles(ml, SyntheticData.ClippedLinear(60, d: 3, n: 4, seed: 5));
        var model = FitAndCheckLearning(ml, data, new QpLayerTrainer.Options
        {
            Model = new GenericQpModel { InequalityCount = 8, EqualityCount = 1 },
            BatchSize = 10,
            LearningRate = 0.05,
        });
        var p = model.GetParameters();
        var g = p["G"].Values;
        var z0 = p["z0"].Values;
        var h = MatVec(g, 8, 4, z0).Zip(p["s0"].Values, (gz, s) => gz + Math.Log(1 + Math.Exp(s))).ToArray();
        var b = MatVec(p["A"].Values, 1, 4, z0);
        foreach (var z in VectorRows.Column(model.Transform(data), "Score"))
        {
            var gz = MatVec(g, 8, 4, z);
            for (var i = 0; i < 8; i++)
                Assert.True(gz[i] <= h[i] + 1e-4, $"constraint {i}: {gz[i]} > {h[i]}");
            Assert.Equal(b[0], MatVec(p["A"].Values, 1, 4, z)[0], 1e-4);
        }
    }

    /// <summary>Trains for three epochs and checks that every epoch was reported and the losses fell.</summary>
    internal static QpLayerTransformer FitAndCheckLearning(MLContext ml, IDataView data, QpLayerTrainer.Options options, IDataView? validation = null)
    {
        var progress = new RecordingProgress();
        var model = ml.DiffOpt().Trainers.QpLayer(options with { NumberOfEpochs = 3 }).Fit(data, validation, new QpTrainingMonitor { Progress = progress });
        AssertLearned(progress, 3);
        return model;
    }

    private static void AssertLearned(RecordingProgress progress, int epochs)
    {
        Assert.Equal(Enumerable.Range(1, epochs), progress.Reports.Select(r => r.Epoch));
        Assert.All(progress.Reports, r => Assert.True(double.IsFinite(r.TrainingLoss)));
        Assert.True(progress.Reports[^1].TrainingLoss < progress.Reports[0].TrainingLoss,
            $"training loss did not fall: {string.Join(", ", progress.Reports.Select(r => r.TrainingLoss))}");
        if (progress.Reports[0].ValidationLoss is not null)
            Assert.True(progress.Reports[^1].ValidationLoss < progress.Reports[0].ValidationLoss);
    }

    /// <summary>
    /// Optimality of z for ½‖z − x‖² + λ‖Dz‖₁: x − z = λDᵀu for some u with |uᵢ| ≤ 1 and uᵢ = sign((Dz)ᵢ) where (Dz)ᵢ ≠ 0.
    /// u is recovered by least squares (Dᵀ has full column rank here).
    /// </summary>
    private static void AssertTotalVariationOptimal(double[] x, double[] z, double[] d, double lambda)
    {
        var n = x.Length;
        using var scope = NewDisposeScope();
        var D = tensor(d, [n - 1, n], ScalarType.Float64);
        var residual = tensor(x.Zip(z, (a, b) => (a - b) / lambda).ToArray(), [n, 1], ScalarType.Float64);
        var u = linalg.lstsq(D.t(), residual).Solution.flatten();
        var fit = (D.t().mv(u) - residual.flatten()).abs().max().item<double>();
        Assert.True(fit < 1e-3, $"x − z is not in λ·range(Dᵀ): residual {fit}");
        var dz = D.mv(tensor(z, ScalarType.Float64)).data<double>().ToArray();
        var multipliers = u.data<double>().ToArray();
        for (var i = 0; i < n - 1; i++)
        {
            Assert.True(Math.Abs(multipliers[i]) <= 1 + 1e-3, $"|u{i}| = {Math.Abs(multipliers[i])} > 1");
            if (Math.Abs(dz[i]) > 1e-3)
                Assert.Equal(Math.Sign(dz[i]), multipliers[i], 2e-3);
        }
    }

    private static double[] MatVec(double[] matrix, int rows, int columns, double[] vector) =>
        Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, columns).Sum(j => matrix[i * columns + j] * vector[j])).ToArray();
}
