using DiffOpt.ML.RoundTripHelper;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>
/// The status column (<see cref="SolverStatusColumn"/>): a UInt32 key with KeyValues names, kept through save/load; text
/// for 5.0.1-era SolveQp files (the convex files of the text era: Convex/ConvexTextStatusFileTests).
/// </summary>
public class StatusColumnTests
{
    private sealed class PRow
    {
        [VectorType(2)] public float[] P { get; set; } = [];
    }

    private static readonly string[] ExpectedNames =
        ["NonFiniteInput", "Solved", "Inaccurate", "MaxIterations", "PrimalInfeasible", "DualInfeasible", "NumericalError", "NonConvex", "InvalidInput"];

    [Fact]
    public void StatusColumn_IsAKey_NamedBySolverStatus_AndFilterable()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PRow { P = [1, 2] }, new PRow { P = [float.NaN, 0] }, new PRow { P = [0, -1] } });
        var estimator = ml.Transforms.SolveQp("Z", new double[,] { { 1, 0 }, { 0, 1 } }, inputColumnName: "P");
        var shape = estimator.GetOutputSchema(DiffOpt.ML.Persistence.MlNetInterop.ShapeOf(data.Schema)).Single(c => c.Name == "ZStatus");
        Assert.True(shape.IsKey);
        Assert.Contains(shape.Annotations, a => a.Name == "KeyValues");

        var output = estimator.Fit(data).Transform(data);
        var column = output.Schema["ZStatus"];
        Assert.Equal(new KeyDataViewType(typeof(uint), ExpectedNames.Length), column.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetKeyValues(ref names);
        Assert.Equal(ExpectedNames, names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(ExpectedNames, Enumerable.Range(1, SolverStatusColumn.KeyCount).Select(k => SolverStatusColumn.NameOf((uint)k)));
        Assert.All(Enum.GetValues<SolverStatus>(), s => Assert.Equal(s, SolverStatusColumn.StatusOf(SolverStatusColumn.KeyOf(s))));

        var solved = SolverStatusColumn.KeyOf(SolverStatus.Solved);
        var kept = ml.Data.FilterByCustomPredicate<StatusRow>(output, row => row.ZStatus == solved); // drops the rows it accepts
        Assert.Equal([SolverStatusColumn.NonFiniteInputKey], kept.GetColumn<uint>("ZStatus"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SolverStatusColumn.NameOf(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SolverStatusColumn.NameOf((uint)ExpectedNames.Length + 1));
    }

    [Fact]
    public void Keys_OfTheTwoUnsolvedKinds_AreTheFirstAndTheLast_AndHaveNoSolverStatus()
    {
        // The statuses keep the keys SolveQp wrote before InvalidInput existed ((uint)status + 2); InvalidInput comes last.
        Assert.Equal(1u, SolverStatusColumn.NonFiniteInputKey);
        Assert.Equal(2u, SolverStatusColumn.KeyOf(SolverStatus.Solved));
        Assert.Equal((uint)ExpectedNames.Length, SolverStatusColumn.InvalidInputKey);
        Assert.Equal("InvalidInput", SolverStatusColumn.NameOf(SolverStatusColumn.InvalidInputKey));
        Assert.Null(SolverStatusColumn.StatusOf(SolverStatusColumn.NonFiniteInputKey));
        Assert.Null(SolverStatusColumn.StatusOf(SolverStatusColumn.InvalidInputKey));
        Assert.Throws<ArgumentOutOfRangeException>(() => SolverStatusColumn.KeyOf((SolverStatus)99));
    }

    [Fact]
    public void EveryTransformer_WritesTheSameStatusColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(8, seed: 5));
        var qp = ml.Transforms.SolveQp("Z", new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, inputColumnName: "A").Fit(data).Transform(data);
        var convex = ml.Transforms.SolveConvex(new Convex.BoxBallProblem().Options).Fit(data).Transform(data);
        var a = new DiffOpt.Modeling.Parameter(RoundTripRow.LabelSize, "a");
        var x = new DiffOpt.Modeling.Variable(RoundTripRow.LabelSize, "x");
        var layer = ml.Transforms.Concatenate("Features", "A", "B").Append(ml.DiffOpt().Trainers.ConvexLayer(new ConvexLayerTrainer.Options
        {
            Problem = DiffOpt.Modeling.Problem.Minimize(DiffOpt.Modeling.Atoms.SumSquares(x - a), x >= -1, x <= 1),
            Decision = x, NumberOfEpochs = 1, BatchSize = 8, Seed = 1,
        })).Fit(data).Transform(data);
        foreach (var (view, name) in new[] { (qp, "ZStatus"), (convex, "Status"), (layer, "ScoreStatus") })
        {
            var column = view.Schema[name];
            Assert.Equal(SolverStatusColumn.KeyType, column.Type);
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.GetKeyValues(ref names);
            Assert.Equal(ExpectedNames, names.DenseValues().Select(n => n.ToString()));
            Assert.All(view.GetColumn<uint>(name), k => Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), k));
        }
    }

    private sealed class StatusRow
    {
        public uint ZStatus { get; set; }
    }

    [Fact]
    public void StatusColumn_StaysAKey_ThroughSaveAndLoad_WhileA501File_StillWritesText()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PRow { P = [1, 2] } });
        var model = ml.Transforms.SolveQp("Z", new double[,] { { 1, 0 }, { 0, 1 } }, inputColumnName: "P").Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _).Transform(data);
        Assert.IsType<KeyDataViewType>(loaded.Schema["ZStatus"].Type);
        Assert.Equal(SolverStatusColumn.KeyOf(SolverStatus.Solved), loaded.GetColumn<uint>("ZStatus").Single());

        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "MlNet501");
        var old = ml.Model.Load(Path.Combine(folder, "model.zip"), out _)
            .Transform(ml.Data.LoadFromEnumerable(RoundTripData.ReadRows(Path.Combine(folder, "rows.bin"))));
        Assert.Equal(TextDataViewType.Instance, old.Schema["SolutionStatus"].Type);
        Assert.All(old.GetColumn<ReadOnlyMemory<char>>("SolutionStatus"), s => Assert.Contains(s.ToString(), ExpectedNames));
    }
}
