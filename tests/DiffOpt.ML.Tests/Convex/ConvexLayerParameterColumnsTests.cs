using DiffOpt.ML.Convex;
using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using DiffOpt.Modeling;
using DiffOpt.Native;
using Microsoft.ML;
using Microsoft.ML.Data;
using static DiffOpt.Modeling.Atoms;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>
/// The ConvexLayer trainer with some parameters read from input columns while the network predicts the others. The
/// problem: z = argmin ‖M z − p‖² + ‖z‖², M (2 × 2) from a column (row-major), p predicted; its solution is
/// z = (MᵀM + I)⁻¹ Mᵀ p, so each decision can be checked in closed form.
/// </summary>
public sealed class ConvexLayerParameterColumnsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("diffopt-convex-fed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Row
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
        [VectorType(4)] public float[] M { get; set; } = [];
        [VectorType(2)] public float[] Label { get; set; } = [];
    }

    private sealed class Scored
    {
        [VectorType(4)] public float[] M { get; set; } = [];
        [VectorType(2)] public float[] Label { get; set; } = [];
        [VectorType(2)] public float[] Score { get; set; } = [];
        public uint ScoreStatus { get; set; }
        [VectorType(2)] public float[] ScoreParameters { get; set; } = [];
    }

    private sealed record Fixture(Problem Problem, Parameter M, Parameter P, Variable Z);

    private static Fixture MatrixProblem()
    {
        var m = new Parameter(2, 2, "M");
        var p = new Parameter(2, "p");
        var z = new Variable(2, "z");
        return new Fixture(Problem.Minimize(SumSquares(m * z - p) + SumSquares(z)), m, p, z);
    }

    /// <summary>(MᵀM + I)⁻¹ Mᵀ p for M row-major [m00, m01, m10, m11].</summary>
    private static double[] Closed(IReadOnlyList<double> m, IReadOnlyList<double> p)
    {
        double a = m[0] * m[0] + m[2] * m[2] + 1, b = m[0] * m[1] + m[2] * m[3], d = m[1] * m[1] + m[3] * m[3] + 1;
        double r0 = m[0] * p[0] + m[2] * p[1], r1 = m[1] * p[0] + m[3] * p[1];
        double det = a * d - b * b;
        return [(d * r0 - b * r1) / det, (a * r1 - b * r0) / det];
    }

    private static readonly double[,] TrueW = { { 1.5, -0.5, 0.8 }, { -1.0, 0.7, 1.2 } };

    private static List<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (int i = 0; i < count; i++)
        {
            var x = Enumerable.Range(0, 3).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            // Diagonally dominant, asymmetric M, so a transposed reading would give other decisions.
            var m = new[] { (float)(1 + random.NextDouble()), (float)(random.NextDouble() - 0.5), (float)(2 * random.NextDouble() - 1), (float)(1 + random.NextDouble()) };
            var p = Enumerable.Range(0, 2).Select(j => Enumerable.Range(0, 3).Sum(k => TrueW[j, k] * x[k])).ToArray();
            rows.Add(new Row { Features = x, M = m, Label = Closed(m.Select(v => (double)v).ToArray(), p).Select(v => (float)v).ToArray() });
        }
        return rows;
    }

    private static ConvexLayerTrainer.Options Options(Fixture f, int epochs) => new()
    {
        Problem = f.Problem, Decision = f.Z, ParameterColumns = [new ParameterColumn("M", f.M)],
        NumberOfEpochs = epochs, BatchSize = 16, LearningRate = 0.05, Seed = 2,
    };

    [Fact]
    public void NetworkGradient_WithAFedMatrix_MatchesCentralDifferences()
    {
        var f = MatrixProblem();
        var shape = new ConvexNetworkShape(f.Problem, [f.P], f.Z, 3, [], ConvexLayerOptions.Default, [new ParameterColumn("M", f.M)]);
        using var network = new ConvexNetwork(shape, seed: 4);
        using var scope = NewDisposeScope();
        var rows = Rows(5, seed: 9);
        var x = tensor(rows.SelectMany(r => r.Features.Select(v => (double)v)).ToArray(), [5, 3], ScalarType.Float64);
        var m = tensor(rows.SelectMany(r => r.M.Select(v => (double)v)).ToArray(), [5, 4], ScalarType.Float64);
        var w = tensor(new double[] { 0.3, -1.1, 0.8, 0.5, -0.2, 1.4, 0.9, -0.6, 0.1, 0.7 }, [5, 2], ScalarType.Float64);
        // An unconstrained QP, solved exactly: autograd and central differences agree to about 1e-12.
        AssertWeightGradientsMatchCentralDifferences(network, () => (network.Decide(network.PredictParameters(x), m) * w).sum(), 1e-7);
    }

    [Fact]
    public void NetworkGradient_WithAFedRadius_OnTheConeRoute_MatchesCentralDifferences()
    {
        // z = argmin ‖z − p‖² over ‖z‖₂ ≤ r (a second-order cone), r from a column: p·min(1, r/‖p‖).
        var p = new Parameter(2, "p");
        var r = new Parameter(1, "r", nonnegative: true);
        var z = new Variable(2, "z");
        var problem = Problem.Minimize(SumSquares(z - p), Norm2(z) <= r[0]);
        // No polish: each polish step is kept or not per solve, so the last digits of nearby solves differ by more than
        // the 1e-12 tolerance, which central differences at h = 1e-5 amplify to ~1e-6 (measured: 9e-6 relative).
        var options = ConvexLayerOptions.Default with
        {
            Cone = ConvexLayerOptions.Default.Cone with { Tolerance = 1e-12, RelativeTolerance = 1e-12, PolishIterations = 0 },
        };
        var shape = new ConvexNetworkShape(problem, [p], z, 3, [], options, [new ParameterColumn("R", r)]);
        using var network = new ConvexNetwork(shape, seed: 5);
        using var scope = NewDisposeScope();
        var x = tensor(Rows(5, seed: 10).SelectMany(row => row.Features.Select(v => (double)v)).ToArray(), [5, 3], ScalarType.Float64);
        var radius = tensor(new double[] { 0.05, 0.1, 5, 0.08, 10 }, [5, 1], ScalarType.Float64); // the ball binds in rows 0, 1, 3
        var w = tensor(new double[] { 0.3, -1.1, 0.8, 0.5, -0.2, 1.4, 0.9, -0.6, 0.1, 0.7 }, [5, 2], ScalarType.Float64);
        var decision = network.Decide(network.PredictParameters(x), radius);
        var norms = decision.pow(ScalarSafeOperations.Two).sum(1).sqrt().data<double>().ToArray();
        Assert.True(Math.Abs(norms[0] - 0.05) < 1e-6 && Math.Abs(norms[1] - 0.1) < 1e-6 && Math.Abs(norms[3] - 0.08) < 1e-6, string.Join(", ", norms));
        Assert.True(norms[2] < 5 && norms[4] < 10);
        // Solved to 1e-12, autograd and central differences agree to about 6e-8 here.
        AssertWeightGradientsMatchCentralDifferences(network, () => (network.Decide(network.PredictParameters(x), radius) * w).sum(), 1e-6);
    }

    /// <summary>∂loss/∂(every network weight) by autograd against central differences of step 1e-5.</summary>
    private static void AssertWeightGradientsMatchCentralDifferences(ConvexNetwork network, Func<Tensor> loss, double tolerance)
    {
        loss().backward();
        var weights = network.parameters().ToArray();
        Assert.Equal(2, weights.Length); // one linear map: weight and bias
        const double h = 1e-5;
        foreach (var weight in weights)
        {
            var grad = weight.grad!.cpu().data<double>().ToArray();
            var flat = weight.detach().view(-1);
            for (int i = 0; i < grad.Length; i++)
            {
                double original = flat[i].item<double>(), plus, minus;
                using (no_grad())
                {
                    flat[i] = original + h;
                    plus = loss().item<double>();
                    flat[i] = original - h;
                    minus = loss().item<double>();
                    flat[i] = original;
                }
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= tolerance * Math.Max(1, Math.Abs(numeric)), $"entry {i}: autograd {grad[i]}, central difference {numeric}");
            }
        }
    }

    [Fact]
    public void Training_WithAFedMatrix_LearnsThePrediction_AndDecidesWithTheRowsMatrix()
    {
        var ml = new MLContext(seed: 1);
        var f = MatrixProblem();
        var train = ml.Data.LoadFromEnumerable(Rows(200, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Rows(60, seed: 2));
        double Mse(ITransformer model) => ml.Data.CreateEnumerable<Scored>(model.Transform(test), reuseRowObject: false)
            .SelectMany(r => r.Score.Zip(r.Label, (s, l) => (double)(s - l) * (s - l))).Average();
        double before = Mse(ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1) with { LearningRate = 1e-9 }).Fit(train));
        var model = ml.DiffOpt().Trainers.ConvexLayer(Options(f, 30)).Fit(train);
        double after = Mse(model);
        // p = W·features is exactly representable, so the fit is exact up to the optimiser (measured 0.17 → 1e-16).
        Assert.True(after < 1e-4 * before, $"held-out decision MSE {before} → {after}");

        Assert.Equal(["M"], model.ParameterColumns.Select(c => c.ColumnName));
        foreach (var r in ml.Data.CreateEnumerable<Scored>(model.Transform(test), reuseRowObject: false))
        {
            Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), r.ScoreStatus);
            // The decision is the layer's solution for this row's M and the network's p (its ScoreParameters).
            var expected = Closed(r.M.Select(v => (double)v).ToArray(), r.ScoreParameters.Select(v => (double)v).ToArray());
            ConvexSolvingTransformerTests.AssertClose(expected, r.Score, 1e-4);
        }
    }

    [Fact]
    public void ParameterColumns_AreSchemaChecked_NamingTheColumnAndTheParameter()
    {
        var ml = new MLContext(seed: 1);
        var f = MatrixProblem();
        var data = ml.Data.LoadFromEnumerable(Rows(8, seed: 3));
        var wrongSize = ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1) with { ParameterColumns = [new ParameterColumn("Label", f.M)] });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => wrongSize.Fit(data));
        Assert.Contains("Schema mismatch for parameter 'M' column 'Label': expected vector of size 4, got vector of size 2", error.Message);
        var missing = ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1) with { ParameterColumns = [new ParameterColumn("Q", f.M)] });
        error = Assert.Throws<ArgumentOutOfRangeException>(() => missing.GetOutputSchema(DiffOpt.ML.Persistence.MlNetInterop.ShapeOf(data.Schema)));
        Assert.Contains("Could not find parameter 'M' column 'Q'", error.Message);

        var model = ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1)).Fit(data);
        var withoutM = ml.Transforms.DropColumns("M").Fit(data).Transform(data);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(withoutM));
        Assert.Contains("Could not find parameter 'M' column 'M'", error.Message);

        var all = Assert.Throws<ArgumentException>(() => ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1) with
        {
            ParameterColumns = [new ParameterColumn("M", f.M), new ParameterColumn("P", f.P)],
        }));
        Assert.Contains("leave at least one", all.Message);
        var foreign = Assert.Throws<ArgumentException>(() => ml.DiffOpt().Trainers.ConvexLayer(Options(f, 1) with
        {
            ParameterColumns = [new ParameterColumn("M", new Parameter(2, 2, "other"))],
        }));
        Assert.Contains("parameter 'other' (column 'M') does not occur", foreign.Message);
    }

    /// <summary>RoundTripRow's data: features A → p (4, predicted), u from column B (2, nonnegative): z = argmin ‖z − p‖², z[0..2] ≤ u, −1 ≤ z.</summary>
    private static (Problem Problem, Variable Z, Parameter U) UpperBoundProblem()
    {
        var p = new Parameter(RoundTripRow.LabelSize, "p");
        var u = new Parameter(2, "u", nonnegative: true);
        var z = new Variable(RoundTripRow.LabelSize, "z");
        return (Problem.Minimize(SumSquares(z - p), z[0..2] <= u, z >= -1), z, u);
    }

    [Fact]
    public void ModelWithAParameterColumn_RoundTripsInAFreshProcess_AndBadRowsGetTheirOwnStatus()
    {
        var ml = new MLContext(seed: 1);
        var (problem, z, u) = UpperBoundProblem();
        var rows = RoundTripRow.Generate(30, seed: 6);
        var model = ml.DiffOpt().Trainers.ConvexLayer(new ConvexLayerTrainer.Options
        {
            Problem = problem, Decision = z, ParameterColumns = [new ParameterColumn("B", u)], FeatureColumnName = "A",
            NumberOfEpochs = 2, BatchSize = 10, LearningRate = 0.05, Seed = 3,
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        rows[4].B[1] = -2f;          // a negative value of the nonnegative u
        rows[7].B[0] = float.NaN;
        rows[9].A[2] = float.PositiveInfinity;
        var data = ml.Data.LoadFromEnumerable(rows);
        string[] columns = ["Score", "ScoreStatus", "ScoreParameters"];
        var output = model.Transform(data);
        var status = output.GetColumn<uint>("ScoreStatus").ToArray();
        Assert.Equal(SolverStatusColumn.InvalidInputKey, status[4]);
        Assert.Equal(SolverStatusColumn.NonFiniteInputKey, status[7]);
        Assert.Equal(SolverStatusColumn.NonFiniteInputKey, status[9]);
        Assert.Equal(27, status.Count(s => s == SolverStatusColumn.KeyOf(SolverStatus.Solved)));
        var scores = VectorRows.Column(output, "Score");
        Assert.All(new[] { 4, 7, 9 }, r => Assert.All(scores[r], v => Assert.True(double.IsNaN(v))));
        Assert.All(Enumerable.Range(0, 30).Except([4, 7, 9]), r => Assert.True(scores[r][0] <= rows[r].B[0] + 1e-4 && scores[r][1] <= rows[r].B[1] + 1e-4));

        var path = Path.Combine(_folder, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        var expected = RoundTripData.EncodeColumns(output, columns);
        var loaded = ml.Model.Load(path, out _);
        var layer = loaded as ConvexLayerTransformer ?? ((TransformerChain<ITransformer>)loaded).OfType<ConvexLayerTransformer>().Single();
        Assert.Equal(["B"], layer.ParameterColumns.Select(c => c.ColumnName));
        Assert.Equal(expected, RoundTripData.EncodeColumns(loaded.Transform(data), columns));
        Assert.Equal(expected, HelperProcess.Outputs(path, rows, columns, _folder));
    }
}
