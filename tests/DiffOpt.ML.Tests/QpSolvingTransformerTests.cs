using DiffOpt.ML.Tests.Infrastructure;
using DiffOpt.Qp;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

public class QpSolvingTransformerTests
{
    private const int N = 3;

    private sealed class PRow
    {
        [VectorType(N)] public float[] P { get; set; } = [];
        [VectorType(2)] public float[] H { get; set; } = [];
        [VectorType(1)] public float[] B { get; set; } = [];
    }

    private sealed class PRowDouble
    {
        [VectorType(N)] public double[] P { get; set; } = [];
    }

    private sealed class WrongSize
    {
        [VectorType(N + 1)] public float[] P { get; set; } = [];
    }

    private sealed class WrongType
    {
        [VectorType(N)] public int[] P { get; set; } = [];
    }

    private sealed class SolutionRow
    {
        [VectorType(N)] public float[] Solution { get; set; } = [];
        public uint SolutionStatus { get; set; }
    }

    private static double[,] Identity(int n)
    {
        var q = new double[n, n];
        for (var i = 0; i < n; i++)
            q[i, i] = 1;
        return q;
    }

    /// <summary>The status names of a key status column, read through ML.NET's MapKeyToValue (the column's KeyValues).</summary>
    internal static string[] StatusNames(IDataView data, string column)
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Transforms.Conversion.MapKeyToValue(column + "Name", column).Fit(data).Transform(data);
        return text.GetColumn<ReadOnlyMemory<char>>(column + "Name").Select(s => s.ToString()).ToArray();
    }

    private static List<PRow> Rows() =>
    [
        new() { P = [0.5f, -2f, 0.1f], H = [1, 1], B = [0] },
        new() { P = [-3f, 1f, 2f], H = [1, 1], B = [1] },
        new() { P = [0f, 0f, -0.5f], H = [-1, -1], B = [2] }, // z₀ ≤ −1 and −z₀ ≤ −1: infeasible
    ];

    [Fact]
    public void Transform_MatchesAnalyticBoxSolution()
    {
        // minimize ½‖z‖² + pᵀz s.t. z ≤ 1 (componentwise)  ⇒  z = min(−p, 1).
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows().Take(2));
        var model = ml.Transforms.SolveQp("Solution", "P", Identity(N), Identity(N), [1, 1, 1]).Fit(data);
        var solutions = VectorRows.Column(model.Transform(data), "Solution");
        var status = StatusNames(model.Transform(data), "SolutionStatus");
        var rows = Rows();
        for (var r = 0; r < 2; r++)
        {
            Assert.Equal(nameof(SolverStatus.Solved), status[r]);
            for (var i = 0; i < N; i++)
                Assert.Equal(Math.Min(-rows[r].P[i], 1.0), solutions[r][i], 1e-5);
        }
    }

    [Fact]
    public void Transform_UsesBoundColumns_AndReportsInfeasibleRowsWithoutThrowing()
    {
        // G = [e₀ᵀ; −e₀ᵀ] with h from column H; A = 1ᵀ with b from column B.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var estimator = ml.Transforms.SolveQp(new QpSolvingEstimator.Options
        {
            OutputColumnName = "Solution",
            LinearTermColumnName = "P",
            QuadraticTerm = Identity(N),
            InequalityMatrix = new double[,] { { 1, 0, 0 }, { -1, 0, 0 } },
            InequalityBoundColumnName = "H",
            EqualityMatrix = new double[,] { { 1, 1, 1 } },
            EqualityBoundColumnName = "B",
        });
        var output = estimator.Fit(data).Transform(data);
        var solutions = VectorRows.Column(output, "Solution");
        var status = StatusNames(output, "SolutionStatus");

        Assert.Equal(nameof(SolverStatus.Solved), status[0]);
        Assert.Equal(nameof(SolverStatus.Solved), status[1]);
        Assert.Equal(nameof(SolverStatus.PrimalInfeasible), status[2]);
        Assert.All(solutions[2], v => Assert.True(double.IsNaN(v)));
        var rows = Rows();
        for (var r = 0; r < 2; r++)
        {
            var z = solutions[r];
            Assert.Equal(rows[r].B[0], z.Sum(), 1e-4);          // Az = b
            Assert.InRange(Math.Abs(z[0]), 0, 1 + 1e-5);          // −1 ≤ z₀ ≤ 1
            // Stationarity for the free coordinates: z_i + p_i + ν = 0 for i = 1, 2 with one ν.
            Assert.Equal(z[1] + rows[r].P[1], z[2] + rows[r].P[2], 1e-4);
        }
    }

    [Fact]
    public void Transform_WritesNonFiniteInputStatus_ForNaNRows()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PRow { P = [float.NaN, 0, 0], H = [1, 1], B = [0] } });
        var output = ml.Transforms.SolveQp("Solution", "P", Identity(N)).Fit(data).Transform(data);
        Assert.Equal(SolverStatusColumn.NonFiniteInputKey, output.GetColumn<uint>("SolutionStatus").Single());
        Assert.Equal("NonFiniteInput", StatusNames(output, "SolutionStatus").Single());
        Assert.All(VectorRows.Column(output, "Solution")[0], v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void SolveQp_WithoutAnInputColumn_ReadsPFromTheOutputColumn_AsMlNetTransformsDo()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows().Take(2));
        double[,] g = { { 1, 0, 0 }, { 0, 1, 0 } };
        var inPlace = ml.Transforms.SolveQp("P", Identity(N), g, [1, 1]).Fit(data).Transform(data);
        var named = ml.Transforms.SolveQp("Solution", Identity(N), g, [1, 1], inputColumnName: "P").Fit(data).Transform(data);
        var explicitInput = ml.Transforms.SolveQp("Solution", "P", Identity(N), g, [1, 1]).Fit(data).Transform(data);

        Assert.Equal(VectorRows.Column(explicitInput, "Solution"), VectorRows.Column(inPlace, "P"));
        Assert.Equal(VectorRows.Column(explicitInput, "Solution"), VectorRows.Column(named, "Solution"));
        Assert.Equal(["Solved", "Solved"], StatusNames(inPlace, "PStatus"));
    }

    [Fact]
    public void Transform_KeepsDoubleColumnsDouble()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PRowDouble { P = [1, -2, 3] } });
        var output = ml.Transforms.SolveQp("Solution", "P", Identity(N)).Fit(data).Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Double, N), output.Schema["Solution"].Type);
        Assert.Equal(new[] { -1.0, 2.0, -3.0 }, VectorRows.Column(output, "Solution")[0], new ToleranceComparer(1e-8));
    }

    [Fact]
    public void Estimator_PassesConformanceChecks()
    {
        var ml = new MLContext(seed: 1);
        var valid = ml.Data.LoadFromEnumerable(Rows());
        var invalid = ml.Data.LoadFromEnumerable(new[] { new WrongType { P = [1, 2, 3] } });
        var estimator = ml.Transforms.SolveQp("Solution", "P", Identity(N), Identity(N), [1, 1, 1]);
        EstimatorConformance.Check(ml, estimator, valid, invalid);
    }

    [Fact]
    public void FitAndTransform_RejectWrongVectorSize_BeforeReadingRows()
    {
        var ml = new MLContext(seed: 1);
        var wrong = new CountingDataView(ml.Data.LoadFromEnumerable(new[] { new WrongSize { P = [1, 2, 3, 4] } }));
        var estimator = ml.Transforms.SolveQp("Solution", "P", Identity(N));
        var error = EstimatorConformance.AssertSchemaError(() => estimator.Fit(wrong));
        Assert.Contains("vector of size 3", error.Message);
        var model = estimator.Fit(ml.Data.LoadFromEnumerable(Rows()));
        EstimatorConformance.AssertSchemaError(() => model.Transform(wrong));
        Assert.Equal(0, wrong.CursorsOpened);
    }

    [Fact]
    public void PredictionEngine_SolvesEachExample()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var model = ml.Transforms.SolveQp("Solution", "P", Identity(N), Identity(N), [1, 1, 1]).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<PRow, SolutionRow>(model);
        var first = engine.Predict(new PRow { P = [-5, 0.5f, 0], H = [1, 1], B = [0] });
        Assert.Equal(new[] { 1f, -0.5f, 0f }, first.Solution, new ToleranceComparer(1e-5));
        var second = engine.Predict(new PRow { P = [1, 2, 3], H = [1, 1], B = [0] });
        Assert.Equal(new[] { -1f, -2f, -3f }, second.Solution, new ToleranceComparer(1e-5));
        Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), second.SolutionStatus);
    }

    [Fact]
    public void Options_AreCheckedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal("QuadraticTerm", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", new double[2, 3])).ParamName);
        Assert.Equal("QuadraticTerm", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", new double[,] { { 1, 2 }, { 0, 1 } })).ParamName);
        var error = Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", Identity(3), new double[2, 2], [1, 1]));
        Assert.Equal("InequalityMatrix", error.ParamName);
        Assert.Contains("2 × 2", error.Message);
        Assert.Equal("InequalityBound", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", Identity(3), new double[2, 3], [1])).ParamName);
        Assert.Equal("InequalityBound", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", Identity(3), new double[2, 3])).ParamName);
        Assert.Equal("EqualityBound", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", Identity(3), equalityBound: [1.0])).ParamName);
        Assert.Equal("QuadraticTerm", Assert.Throws<ArgumentException>(() => ml.Transforms.SolveQp("S", "P", new double[,] { { double.NaN } })).ParamName);
    }
}
