using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>
/// mlContext.DiffOpt().Evaluate: metrics of vector outputs and decisions against hand-computed values (the
/// decisions of SolveQp from the analytic solution of a box QP), status counts, the task loss, and schema errors.
/// </summary>
public class VectorEvaluationTests
{
    private sealed class DecisionRow
    {
        [VectorType(2)] public float[] P { get; set; } = [];
        [VectorType(2)] public float[] H { get; set; } = [];
        [VectorType(2)] public float[] Label { get; set; } = [];
    }

    // minimize ½‖z‖² + pᵀz s.t. z₀ ≤ h₀, −z₀ ≤ h₁  ⇒  z₀ = clamp(−p₀, −h₁, h₀), z₁ = −p₁ (infeasible when h₀ < −h₁).
    private static readonly DecisionRow[] Rows =
    [
        new() { P = [0.5f, -2f], H = [1, 1], Label = [0, 1] },      // z = (−0.5, 2)
        new() { P = [-3f, 1f], H = [1, 1], Label = [1, -2] },      // z = (1, −1)
        new() { P = [2f, 0.25f], H = [1, 0.5f], Label = [-1, 0] }, // z = (−0.5, −0.25)
        new() { P = [0f, 0f], H = [-1, -1], Label = [0, 0] },      // infeasible: NaN decision
        new() { P = [float.NaN, 0f], H = [1, 1], Label = [0, 0] }, // non-finite input: NaN decision
    ];

    private static readonly double[][] Decisions = [[-0.5, 2], [1, -1], [-0.5, -0.25]];

    private static IDataView Decide(MLContext ml)
    {
        var data = ml.Data.LoadFromEnumerable(Rows);
        return ml.Transforms.SolveQp(new QpSolvingEstimator.Options
        {
            OutputColumnName = "Decision",
            LinearTermColumnName = "P",
            QuadraticTerm = new double[,] { { 1, 0 }, { 0, 1 } },
            InequalityMatrix = new double[,] { { 1, 0 }, { -1, 0 } },
            InequalityBoundColumnName = "H",
        }).Fit(data).Transform(data);
    }

    [Fact]
    public void Evaluate_OfDecisions_MatchesHandComputedMetrics_AndCountsEveryStatus()
    {
        var ml = new MLContext(seed: 1);
        var metrics = ml.DiffOpt().Evaluate(Decide(ml), "Label", "Decision", "DecisionStatus",
            taskLoss: (label, decision) => label[0] * decision[0] + label[1] * decision[1]);

        Assert.Equal(5, metrics.RowCount);
        Assert.Equal(3, metrics.ScoredRowCount);
        Assert.Equal(2, metrics.NonFiniteRowCount);
        var squared = new double[2];
        var absolute = new double[2];
        double cost = 0;
        for (var r = 0; r < 3; r++)
        {
            for (var i = 0; i < 2; i++)
            {
                var error = Decisions[r][i] - Rows[r].Label[i];
                squared[i] += error * error / 3;
                absolute[i] += Math.Abs(error) / 3;
            }
            cost += (Rows[r].Label[0] * Decisions[r][0] + Rows[r].Label[1] * Decisions[r][1]) / 3;
        }
        Assert.Equal(squared, metrics.PerOutputMeanSquaredError, new ToleranceComparer(1e-5));
        Assert.Equal(absolute, metrics.PerOutputMeanAbsoluteError, new ToleranceComparer(1e-5));
        Assert.Equal(squared.Average(), metrics.MeanSquaredError, 1e-5);
        Assert.Equal(Math.Sqrt(squared.Average()), metrics.RootMeanSquaredError, 1e-5);
        Assert.Equal(absolute.Average(), metrics.MeanAbsoluteError, 1e-5);
        Assert.Equal(cost, metrics.TaskLoss!.Value, 1e-5);
        Assert.Equal(new Dictionary<string, long> { ["Solved"] = 3, ["PrimalInfeasible"] = 1, ["NonFiniteInput"] = 1 },
            metrics.StatusCounts.ToDictionary(p => p.Key, p => p.Value));
    }

    [Fact]
    public void Evaluate_OfTheQpLayerScore_AgreesWithTheScoresAndTheTrainingLoss()
    {
        var ml = new MLContext(seed: 1);
        var data = VectorRows.Floats(ml, SmallTraining.Rows);
        var model = ml.DiffOpt().Trainers.QpLayer(SmallTraining.Options).Fit(data);
        var scored = model.Transform(data);
        var metrics = ml.DiffOpt().Evaluate(scored);

        var scores = VectorRows.Column(scored, "Score");
        var labels = SmallTraining.Rows.Select(r => r.Label.Select(v => (double)(float)v).ToArray()).ToArray();
        var expected = scores.Zip(labels, (s, l) => s.Zip(l, (a, b) => (a - b) * (a - b)).Sum()).Sum() / (scores.Length * 2);
        Assert.Equal(expected, metrics.MeanSquaredError, 1e-9);
        Assert.Equal(SmallTraining.Rows.Count, metrics.ScoredRowCount);
        Assert.Empty(metrics.StatusCounts);
        Assert.Null(metrics.TaskLoss);

        // The reason the trainer left mlContext.Regression: its evaluator cannot read a vector Score.
        var regression = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Evaluate(scored));
        Assert.Contains("Score", regression.Message);
    }

    [Fact]
    public void Evaluate_ChecksColumns_WithErrorsNamingThem()
    {
        var ml = new MLContext(seed: 1);
        var decided = Decide(ml);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.DiffOpt().Evaluate(decided, "Nope", "Decision"));
        Assert.Contains("label column 'Nope'", missing.Message);
        var wrongLength = ml.Transforms.Concatenate("Wide", "P", "H").Fit(decided).Transform(decided);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => ml.DiffOpt().Evaluate(wrongLength, "Label", "Wide"));
        Assert.Contains("score column 'Wide'", size.Message);
        Assert.Contains("vector of size 2", size.Message);
        var status = Assert.Throws<ArgumentOutOfRangeException>(() => ml.DiffOpt().Evaluate(decided, "Label", "Decision", "P"));
        Assert.Contains("status column 'P'", status.Message);
        Assert.Equal("labelColumnName", Assert.Throws<ArgumentException>(() => ml.DiffOpt().Evaluate(decided, " ")).ParamName);
    }

    [Fact]
    public void Evaluate_RejectsANonFiniteTaskLoss_NamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() =>
            ml.DiffOpt().Evaluate(Decide(ml), "Label", "Decision", taskLoss: (label, _) => label[0] > 0 ? double.NaN : 0));
        Assert.Contains("row 1", error.Message);
    }

    [Fact]
    public void ObsoleteRegressionCatalogMember_ForwardsToTheDiffOptCatalog()
    {
        var ml = new MLContext(seed: 1);
#pragma warning disable CS0618 // the forwarding member under test
        var old = ml.Regression.Trainers.QpLayer(SmallTraining.Options);
#pragma warning restore CS0618
        Assert.Equal(SmallTraining.Options, old.TrainerOptions);
        var attribute = typeof(DiffOptCatalog).GetMethods().Where(m => m.Name == "QpLayer")
            .Select(m => m.GetCustomAttributes(typeof(ObsoleteAttribute), false).Cast<ObsoleteAttribute>().Single()).First();
        Assert.Contains("mlContext.DiffOpt().Trainers.QpLayer", attribute.Message);
    }
}
