using DiffOpt.ML.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

/// <summary>The lazy output of a transformer reads its source once (issue #15).</summary>
public class SingleReadTests
{
    private const int N = 3;

    // More rows than two blocks of 128, so the last block is partial.
    private const int Rows = 300;

    private sealed class PRow
    {
        [VectorType(N)] public float[] P { get; set; } = [];
        public float Weight { get; set; }
    }

    private sealed class SolutionRow
    {
        [VectorType(N)] public float[] Solution { get; set; } = [];
    }

    private static double[,] Identity()
    {
        var q = new double[N, N];
        for (var i = 0; i < N; i++)
            q[i, i] = 1;
        return q;
    }

    private static List<PRow> Data() =>
        Enumerable.Range(0, Rows).Select(r => new PRow { P = ChangingRowsDataView.Values(1, r), Weight = r * 0.5f }).ToList();

    private static ITransformer Model(MLContext ml) =>
        ml.Transforms.SolveQp("Solution", "P", Identity(), Identity(), [1, 1, 1]).Fit(ml.Data.LoadFromEnumerable(Data().Take(3)));

    /// <summary>Reads every row of <paramref name="data"/>: the P, Weight and Solution values, ids and positions.</summary>
    private static (float[][] P, float[] Weight, float[][] Solution, ulong[] Ids) ReadAll(IDataView data, Random? rand = null)
    {
        var columns = new[] { data.Schema["P"], data.Schema["Weight"], data.Schema["Solution"] };
        var p = new List<float[]>();
        var weights = new List<float>();
        var solutions = new List<float[]>();
        var ids = new List<ulong>();
        using var cursor = data.GetRowCursor(columns, rand);
        var pGetter = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var weightGetter = cursor.GetGetter<float>(columns[1]);
        var solutionGetter = cursor.GetGetter<VBuffer<float>>(columns[2]);
        var idGetter = cursor.GetIdGetter();
        VBuffer<float> buffer = default;
        float weight = 0;
        DataViewRowId id = default;
        while (cursor.MoveNext())
        {
            Assert.Equal(p.Count, cursor.Position);
            pGetter(ref buffer);
            p.Add(buffer.DenseValues().ToArray());
            weightGetter(ref weight);
            weights.Add(weight);
            solutionGetter(ref buffer);
            solutions.Add(buffer.DenseValues().ToArray());
            idGetter(ref id);
            ids.Add(id.Low);
        }
        Assert.False(cursor.MoveNext());
        return (p.ToArray(), weights.ToArray(), solutions.ToArray(), ids.ToArray());
    }

    [Fact]
    public void UnshuffledCursor_OpensOneSourceCursor_AndReadsEachRowOnce()
    {
        var ml = new MLContext(seed: 1);
        var source = new CountingDataView(ml.Data.LoadFromEnumerable(Data()));
        var output = Model(ml).Transform(source);
        Assert.Equal(0, source.CursorsOpened);
        var (p, weights, solutions, ids) = ReadAll(output);
        Assert.Equal(1, source.CursorsOpened);
        Assert.Equal(Rows, source.RowsRead);
        var data = Data();
        Assert.Equal(Rows, p.Length);
        for (var r = 0; r < Rows; r++)
        {
            Assert.Equal(data[r].P, p[r]);
            Assert.Equal(data[r].Weight, weights[r]);
            Assert.Equal((ulong)r, ids[r]);
            for (var i = 0; i < N; i++)
                Assert.Equal(Math.Min(-data[r].P[i], 1.0), solutions[r][i], 1e-5);
        }
    }

    [Fact]
    public void SourceGivingDifferentRowsToEachCursor_IsReadOnce_AndMatchesRowByRow()
    {
        var ml = new MLContext(seed: 1);
        var model = Model(ml);
        var output = model.Transform(new ChangingRowsDataView(Rows));
        var columns = new[] { output.Schema["P"], output.Schema["Solution"] };
        var p = new List<float[]>();
        var solutions = new List<float[]>();
        using (var cursor = output.GetRowCursor(columns))
        {
            var pGetter = cursor.GetGetter<VBuffer<float>>(columns[0]);
            var solutionGetter = cursor.GetGetter<VBuffer<float>>(columns[1]);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                pGetter(ref buffer);
                p.Add(buffer.DenseValues().ToArray());
                solutionGetter(ref buffer);
                solutions.Add(buffer.DenseValues().ToArray());
            }
        }
        Assert.Equal(Rows, p.Count);
        // The rows served are those of the first (and only) cursor opened on the source.
        for (var r = 0; r < Rows; r++)
            Assert.Equal(ChangingRowsDataView.Values(0, r), p[r]);
        // Row by row, as a PredictionEngine computes, on the rows the cursor served.
        var engine = ml.Model.CreatePredictionEngine<PRow, SolutionRow>(model);
        for (var r = 0; r < Rows; r++)
            Assert.Equal(engine.Predict(new PRow { P = p[r] }).Solution, solutions[r]);
    }

    [Fact]
    public void ShuffledCursor_ServesMatchingColumns()
    {
        var ml = new MLContext(seed: 1);
        // A cached view can shuffle its cursors.
        var source = ml.Data.Cache(ml.Data.LoadFromEnumerable(Data()));
        var (p, weights, solutions, _) = ReadAll(Model(ml).Transform(source), new Random(3));
        Assert.Equal(Rows, p.Length);
        Assert.NotEqual(Data().Select(d => d.Weight), weights);
        var data = Data();
        for (var r = 0; r < Rows; r++)
            Assert.Equal(data[(int)(weights[r] * 2)].P, p[r]);
        for (var r = 0; r < Rows; r++)
            for (var i = 0; i < N; i++)
                Assert.Equal(Math.Min(-p[r][i], 1.0), solutions[r][i], 1e-5);
    }

    [Fact]
    public void PredictionEngine_StillComputesEachRow()
    {
        var ml = new MLContext(seed: 1);
        var engine = ml.Model.CreatePredictionEngine<PRow, SolutionRow>(Model(ml));
        Assert.Equal(new[] { 1f, -0.5f, 0f }, engine.Predict(new PRow { P = [-5, 0.5f, 0] }).Solution, new ToleranceComparer(1e-5));
        Assert.Equal(new[] { -1f, -2f, -3f }, engine.Predict(new PRow { P = [1, 2, 3] }).Solution, new ToleranceComparer(1e-5));
    }
}
