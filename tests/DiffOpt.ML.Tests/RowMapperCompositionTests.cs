using DiffOpt.ML.RoundTripHelper;
using Microsoft.ML.Data;
using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;

namespace DiffOpt.ML.Tests;

/// <summary>
/// DiffOpt's transforms inside ML.NET's data-pipeline machinery, as ML.NET's own row-to-row transforms are: a
/// trained chain re-applied to new data, and a transform saved into a model repository and loaded back (through
/// ML.NET's RowToRowMapperTransform and the SignatureLoadRowMapper loaders DiffOpt registers).
/// </summary>
public sealed class RowMapperCompositionTests
{
    private static readonly string[] Columns = ["Features", "Score", "Solution", "SolutionStatus"];

    private static (MLContext Ml, ITransformer Model, IDataView Data, IDataView Other) Fit()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(12, seed: 1));
        var other = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(9, seed: 2));
        var n = RoundTripRow.LabelSize;
        var identity = new double[n, n];
        for (var i = 0; i < n; i++)
            identity[i, i] = 1;
        var model = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(ml.DiffOpt().Trainers.QpLayer(new QpLayerTrainer.Options { Model = new GenericQpModel { InequalityCount = 3 }, NumberOfEpochs = 1, BatchSize = 6 }))
            .Append(ml.Transforms.SolveQp("Solution", "Score", identity, identity, Enumerable.Repeat(0.25, n).ToArray()))
            .Fit(data);
        return (ml, model, data, other);
    }

    [Fact]
    public void TrainedChain_IsReappliedToNewData_ByMlNetsApplyAllTransforms()
    {
        var (ml, model, data, other) = Fit();
        var reapplied = MlNetInternals.ApplyAllTransformsToData(ml, model.Transform(data), other, data);
        Assert.Equal(RoundTripData.EncodeColumns(model.Transform(other), Columns), RoundTripData.EncodeColumns(reapplied, Columns));
    }

    [Fact]
    public void EachTransform_SavedAsAnMlNetTransform_LoadsBackThroughTheRowMapperSignature()
    {
        var (ml, model, data, other) = Fit();
        var solved = model.Transform(other);
        var solve = (IDataView)solved; // SolveQp's view, whose Source is the QP layer's view
        var layer = (IDataView)solve.GetType().GetProperty("Source")!.GetValue(solve)!;
        var features = (IDataView)layer.GetType().GetProperty("Source")!.GetValue(layer)!;

        var reloadedLayer = MlNetInternals.SaveAndLoadTransform(ml, layer, features);
        var reloaded = MlNetInternals.SaveAndLoadTransform(ml, solve, reloadedLayer);
        Assert.Equal("RowToRowMapperTransform", reloaded.GetType().Name); // ML.NET's own transform around DiffOpt's row mapper
        // The loaded transforms compute row by row, DiffOpt's own views a block at a time: equal up to solver tolerance.
        AssertVectorsClose(solved, reloaded, ["Score", "Solution"], 1e-5);
        Assert.Equal(solved.GetColumn<uint>("SolutionStatus"), reloaded.GetColumn<uint>("SolutionStatus"));
    }

    [Fact]
    public void ConvexTransforms_AreReappliedAndLoadBack_LikeTheQpOnes()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(12, seed: 1));
        var other = ml.Data.LoadFromEnumerable(RoundTripRow.Generate(9, seed: 2));
        var p = new DiffOpt.Modeling.Parameter(RoundTripRow.LabelSize, "p");
        var z = new DiffOpt.Modeling.Variable(RoundTripRow.LabelSize, "z");
        var model = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(ml.DiffOpt().Trainers.ConvexLayer(new ConvexLayerTrainer.Options
            {
                Problem = DiffOpt.Modeling.Problem.Minimize(DiffOpt.Modeling.Atoms.SumSquares(z - p), z >= -1, z <= 1),
                Decision = z, NumberOfEpochs = 1, BatchSize = 6, Seed = 1,
            }))
            .Append(ml.Transforms.SolveConvex(new Convex.BoxBallProblem().Options))
            .Fit(data);
        string[] columns = ["Score", "ScoreStatus", "ScoreParameters", "X", "Y", "Status"];
        var solved = model.Transform(other);
        var reapplied = MlNetInternals.ApplyAllTransformsToData(ml, model.Transform(data), other, data);
        Assert.Equal(RoundTripData.EncodeColumns(solved, columns), RoundTripData.EncodeColumns(reapplied, columns));

        var solve = (IDataView)solved;
        var layer = (IDataView)solve.GetType().GetProperty("Source")!.GetValue(solve)!;
        var features = (IDataView)layer.GetType().GetProperty("Source")!.GetValue(layer)!;
        var reloaded = MlNetInternals.SaveAndLoadTransform(ml, solve, MlNetInternals.SaveAndLoadTransform(ml, layer, features));
        Assert.Equal("RowToRowMapperTransform", reloaded.GetType().Name);
        // Row by row instead of a block at a time: the same problems, so equal up to the solvers' tolerance.
        AssertVectorsClose(solved, reloaded, ["Score", "ScoreParameters", "X", "Y"], 1e-4);
        Assert.Equal(solved.GetColumn<uint>("ScoreStatus"), reloaded.GetColumn<uint>("ScoreStatus"));
        Assert.Equal(solved.GetColumn<uint>("Status"), reloaded.GetColumn<uint>("Status"));
    }

    private static void AssertVectorsClose(IDataView expectedView, IDataView actualView, string[] columns, double tolerance)
    {
        foreach (var column in columns)
        {
            var expected = VectorRows.Column(expectedView, column);
            var actual = VectorRows.Column(actualView, column);
            Assert.Equal(expected.Length, actual.Length);
            for (var r = 0; r < expected.Length; r++)
                Assert.Equal(expected[r], actual[r], new ToleranceComparer(tolerance));
        }
    }
}
