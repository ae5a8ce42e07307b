using DiffOpt.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests;

public class SmokeTests
{
    private sealed class Row
    {
        [VectorType(4)] public float[] Features { get; set; } = [];
        [VectorType(4)] public float[] Label { get; set; } = [];
    }

    private sealed class Prediction
    {
        [VectorType(4)] public float[] Score { get; set; } = [];
    }

    [Fact]
    public void Smoke()
    {
        var ml = new MLContext(seed: 1);
        var rnd = new Random(0);
        var rows = Enumerable.Range(0, 40).Select(_ =>
        {
            var f = Enumerable.Range(0, 4).Select(_ => (float)rnd.NextDouble()).ToArray();
            return new Row { Features = f, Label = f.Select(v => Math.Max(0, v - 0.3f)).ToArray() };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.Regression.Trainers.QpLayer(new QpLayerTrainer.Options { Model = new EqualityConstrainedQpModel { EqualityCount = 2 }, NumberOfEpochs = 2, BatchSize = 10, LearningRate = 0.1 });
        var model = trainer.Fit(data);
        var output = model.Transform(data);
        var scores = output.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.Equal(40, scores.Length);
        using var ms = new MemoryStream();
        ml.Model.Save(model, data.Schema, ms);
        ms.Position = 0;
        var loaded = ml.Model.Load(ms, out _);
        var scores2 = loaded.Transform(data).GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.Equal(scores, scores2);
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(loaded);
        var p0 = engine.Predict(rows[0]).Score.ToArray();
        var p1 = engine.Predict(rows[1]).Score.ToArray();
        Assert.Equal(scores[0], p0);
        Assert.Equal(scores[1], p1);
    }
}
