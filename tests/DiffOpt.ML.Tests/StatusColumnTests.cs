using DiffOpt.ML.RoundTripHelper;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>The SolveQp status column: a UInt32 key with KeyValues names, kept through save/load; text for 5.0.1-era files.</summary>
public class StatusColumnTests
{
    private sealed class PRow
    {
        [VectorType(2)] public float[] P { get; set; } = [];
    }

    private static readonly string[] ExpectedNames =
        ["NonFiniteInput", "Solved", "Inaccurate", "MaxIterations", "PrimalInfeasible", "DualInfeasible", "NumericalError", "NonConvex"];

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
        Assert.Equal(ExpectedNames, Enumerable.Range(1, QpStatusColumn.KeyCount).Select(k => QpStatusColumn.NameOf((uint)k)));
        Assert.All(Enum.GetValues<SolverStatus>(), s => Assert.Equal(s, QpStatusColumn.StatusOf(QpStatusColumn.KeyOf(s))));

        var solved = QpStatusColumn.KeyOf(SolverStatus.Solved);
        var kept = ml.Data.FilterByCustomPredicate<StatusRow>(output, row => row.ZStatus == solved); // drops the rows it accepts
        Assert.Equal([QpStatusColumn.NonFiniteInputKey], kept.GetColumn<uint>("ZStatus"));
        Assert.Throws<ArgumentOutOfRangeException>(() => QpStatusColumn.NameOf(0));
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
        Assert.Equal(QpStatusColumn.KeyOf(SolverStatus.Solved), loaded.GetColumn<uint>("ZStatus").Single());

        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "MlNet501");
        var old = ml.Model.Load(Path.Combine(folder, "model.zip"), out _)
            .Transform(ml.Data.LoadFromEnumerable(RoundTripData.ReadRows(Path.Combine(folder, "rows.bin"))));
        Assert.Equal(TextDataViewType.Instance, old.Schema["SolutionStatus"].Type);
        Assert.All(old.GetColumn<ReadOnlyMemory<char>>("SolutionStatus"), s => Assert.Contains(s.ToString(), ExpectedNames));
    }
}
