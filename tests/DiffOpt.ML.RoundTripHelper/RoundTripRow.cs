using Microsoft.ML.Data;

namespace DiffOpt.ML.RoundTripHelper;

/// <summary>An input row of the round-trip pipeline: two raw feature blocks and a label.</summary>
public sealed class RoundTripRow
{
    public const int LabelSize = 4;

    [VectorType(3)] public float[] A { get; set; } = [];

    [VectorType(2)] public float[] B { get; set; } = [];

    [VectorType(LabelSize)] public float[] Label { get; set; } = [];

    /// <summary>Seeded rows whose label is a clipped linear function of the features.</summary>
    public static List<RoundTripRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<RoundTripRow>();
        for (var i = 0; i < count; i++)
        {
            var a = Enumerable.Range(0, 3).Select(_ => (float)(4 * random.NextDouble() - 2)).ToArray();
            var b = Enumerable.Range(0, 2).Select(_ => (float)(10 * random.NextDouble())).ToArray();
            var label = Enumerable.Range(0, LabelSize)
                .Select(j => Math.Clamp(a[j % 3] - 0.1f * b[j % 2], -1f, 1f)).ToArray();
            rows.Add(new RoundTripRow { A = a, B = b, Label = label });
        }
        return rows;
    }
}
