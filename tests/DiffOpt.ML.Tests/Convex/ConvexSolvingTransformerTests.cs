using DiffOpt.ML.RoundTripHelper;
using DiffOpt.ML.Tests.Infrastructure;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.ML.Tests.Convex;

public class ConvexSolvingTransformerTests
{
    private sealed class Output
    {
        [VectorType(3)] public float[] X { get; set; } = [];
        [VectorType(2)] public float[] Y { get; set; } = [];
        public uint Status { get; set; }
    }

    private sealed class WrongSizeRow
    {
        [VectorType(4)] public float[] A { get; set; } = [];
        [VectorType(2)] public float[] B { get; set; } = [];
    }

    private sealed class TextRow
    {
        public string A { get; set; } = "";
        [VectorType(2)] public float[] B { get; set; } = [];
    }

    private sealed class MatrixRow
    {
        [VectorType(4)] public double[] M { get; set; } = [];
    }

    private sealed class MatrixOutput
    {
        [VectorType(2)] public double[] Z { get; set; } = [];
    }

    [Fact]
    public void Transform_MatchesTheClosedFormSolution_RowByRow()
    {
        var ml = new MLContext(seed: 1);
        var fixture = new BoxBallProblem();
        var rows = BoxBallProblem.Rows(150, seed: 3); // more than one block of 64
        var data = ml.Data.LoadFromEnumerable(rows);
        var output = ml.Transforms.SolveConvex(fixture.Options).Fit(data).Transform(data);
        var results = ml.Data.CreateEnumerable<Output>(output, reuseRowObject: false).ToList();
        Assert.Equal(rows.Count, results.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), results[i].Status);
            // The cone solver stops at a duality gap ε = 1e-8; the objective is 1-strongly convex, so the point is
            // only guaranteed within √ε = 1e-4 of the optimum.
            AssertClose(BoxBallProblem.ExpectedX(rows[i].A), results[i].X, 1e-4);
            AssertClose(BoxBallProblem.ExpectedY(rows[i].B), results[i].Y, 1e-4);
        }
    }

    [Fact]
    public void MatrixParameters_AreReadRowMajor()
    {
        var ml = new MLContext(seed: 1);
        var m = new Parameter(2, 2, "M");
        var z = new Variable(2, "Z");
        var problem = Problem.Minimize(SumSquares(z - m * new double[] { 1, 2 }));
        var rows = new[] { new MatrixRow { M = [1, 2, 3, 4] }, new MatrixRow { M = [-1, 0.5, 0, 2] } };
        var data = ml.Data.LoadFromEnumerable(rows);
        var output = ml.Transforms.SolveConvex(problem, [z]).Fit(data).Transform(data);
        var results = ml.Data.CreateEnumerable<MatrixOutput>(output, reuseRowObject: false).ToList();
        AssertClose([1 + 2 * 2, 3 + 2 * 4], results[0].Z, 1e-6);
        AssertClose([-1 + 2 * 0.5, 0 + 2 * 2], results[1].Z, 1e-6);
    }

    [Fact]
    public void PredictionEngine_SolvesOneRow()
    {
        var ml = new MLContext(seed: 1);
        var fixture = new BoxBallProblem();
        var rows = BoxBallProblem.Rows(4, seed: 5);
        var model = ml.Transforms.SolveConvex(fixture.Options).Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = ml.Model.CreatePredictionEngine<RoundTripRow, Output>(model);
        var row = new RoundTripRow { A = [-0.5f, 0.25f, 3f], B = [3f, 4f], Label = new float[4] };
        var result = engine.Predict(row);
        AssertClose([0, 0.25, 1], result.X, 1e-5);
        AssertClose([0.6, 0.8], result.Y, 1e-5);
    }

    [Fact]
    public void Transform_IsLazy_AndFitReadsNoRows()
    {
        var ml = new MLContext(seed: 1);
        var counting = new CountingDataView(ml.Data.LoadFromEnumerable(BoxBallProblem.Rows(10, seed: 2)));
        var transformed = ml.Transforms.SolveConvex(new BoxBallProblem().Options).Fit(counting).Transform(counting);
        Assert.Equal(0, counting.RowsRead);
        Assert.Equal(10, ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: false).Count());
        Assert.True(counting.RowsRead > 0);
    }

    [Fact]
    public void WrongColumnSize_FailsBeforeReadingData_NamingColumnAndParameter()
    {
        var ml = new MLContext(seed: 1);
        var counting = new CountingDataView(ml.Data.LoadFromEnumerable(new[] { new WrongSizeRow { A = new float[4], B = new float[2] } }));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SolveConvex(new BoxBallProblem().Options).Fit(counting));
        Assert.Contains("Schema mismatch for parameter 'a' column 'A'", error.Message);
        Assert.Contains("vector of size 3", error.Message);
        Assert.Equal(0, counting.RowsRead);
    }

    [Fact]
    public void WrongColumnType_OrMissingColumn_FailsNamingColumnAndParameter()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.SolveConvex(new BoxBallProblem().Options);
        var text = ml.Data.LoadFromEnumerable(new[] { new TextRow { A = "x", B = new float[2] } });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(text));
        Assert.Contains("parameter 'a' column 'A'", error.Message);
        var missing = ml.Data.LoadFromEnumerable(new[] { new MatrixRow { M = new double[4] } });
        error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(missing));
        Assert.Contains("Could not find parameter 'a' column 'A'", error.Message);
    }

    [Fact]
    public void BadRows_GetTheirOwnStatus_AndLeaveTheOthersIntact()
    {
        var ml = new MLContext(seed: 1);
        var a = new Parameter(2, "a");
        var cap = new Parameter(1, "cap", nonnegative: true);
        var x = new Variable(2, "x");
        // x ≥ a and Σx ≤ cap: infeasible when Σa > cap.
        var problem = Problem.Minimize(SumSquares(x), x >= a, Sum(x) <= cap[0]);
        var rows = new[]
        {
            new MatrixRow { M = [0.5, 0.25, 2, 0] },
            new MatrixRow { M = [double.NaN, 0, 2, 0] },
            new MatrixRow { M = [0.5, 0.25, -1, 0] },  // negative entry of a nonnegative parameter
            new MatrixRow { M = [3, 3, 1, 0] },         // infeasible
            new MatrixRow { M = [-1, 0.5, 2, 0] },
        };
        var data = ml.Transforms.CustomMapping<MatrixRow, SplitRow>((i, o) => { o.A = [i.M[0], i.M[1]]; o.Cap = [i.M[2]]; }, null)
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var output = ml.Transforms.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = problem,
            Inputs = [new ParameterColumn("A", a), new ParameterColumn("Cap", cap)],
            Outputs = [new VariableColumn("X", x)],
        }).Fit(data).Transform(data);
        var results = ml.Data.CreateEnumerable<SplitOutput>(output, reuseRowObject: false).ToList();
        uint solved = SolverStatusColumn.KeyOf(SolverStatus.Solved);
        Assert.Equal([solved, SolverStatusColumn.NonFiniteInputKey, SolverStatusColumn.InvalidInputKey, SolverStatusColumn.KeyOf(SolverStatus.PrimalInfeasible), solved],
            results.Select(r => r.Status));
        var names = ml.Transforms.Conversion.MapKeyToValue("StatusName", "Status").Fit(output).Transform(output);
        Assert.Equal(["Solved", "NonFiniteInput", "InvalidInput", "PrimalInfeasible", "Solved"], names.GetColumn<ReadOnlyMemory<char>>("StatusName").Select(n => n.ToString()));
        AssertClose([0.5, 0.25], results[0].X, 1e-6);
        AssertClose([0, 0.5], results[4].X, 1e-6);
        Assert.All(results[1].X.Concat(results[2].X).Concat(results[3].X), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void InvalidOptions_FailNamingWhatIsWrong()
    {
        var ml = new MLContext(seed: 1);
        var fixture = new BoxBallProblem();
        var unbound = Assert.Throws<ArgumentException>(() => ml.Transforms.SolveConvex(fixture.Options with { Inputs = [new ParameterColumn("A", fixture.A)] }));
        Assert.Contains("parameter 'b'", unbound.Message);
        var foreign = Assert.Throws<ArgumentException>(() => ml.Transforms.SolveConvex(fixture.Options with { Outputs = [new VariableColumn("Z", new Variable(2, "z"))] }));
        Assert.Contains("variable 'z'", foreign.Message);
        var clash = Assert.Throws<ArgumentException>(() => ml.Transforms.SolveConvex(fixture.Options with { StatusColumnName = "X" }));
        Assert.Contains("distinct", clash.Message);
        var notDcp = Problem.Minimize(Sqrt(fixture.X[0]) + SumSquares(fixture.X - fixture.A));
        Assert.Throws<DcpException>(() => ml.Transforms.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = notDcp,
            Inputs = [new ParameterColumn("A", fixture.A)],
            Outputs = [new VariableColumn("X", fixture.X)],
        }));
    }

    private sealed class SplitRow
    {
        [VectorType(2)] public double[] A { get; set; } = [];
        [VectorType(1)] public double[] Cap { get; set; } = [];
    }

    private sealed class SplitOutput
    {
        [VectorType(2)] public double[] X { get; set; } = [];
        public uint Status { get; set; }
    }

    internal static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance) =>
        AssertClose(expected, actual.Select(v => (double)v).ToArray(), tolerance);

    internal static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }
}
