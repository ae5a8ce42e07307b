using Microsoft.ML.Data;

namespace ResourceAllocation.Data;

/// <summary>One period: context features, the realised returns (the label) and the true expected returns.</summary>
public sealed class AllocationRow
{
    /// <summary>Number of context features.</summary>
    public const int FeatureCount = 4;

    /// <summary>Number of resources (assets, projects) the budget is split over.</summary>
    public const int ResourceCount = 5;

    /// <summary>The context.</summary>
    [VectorType(FeatureCount)] public float[] Features { get; set; } = [];

    /// <summary>The realised returns (what training sees).</summary>
    [VectorType(ResourceCount)] public float[] Label { get; set; } = [];

    /// <summary>The expected returns given the features (used only to measure regret).</summary>
    [VectorType(ResourceCount)] public float[] TrueMean { get; set; } = [];
}

/// <summary>
/// Expected returns that depend on the features nonlinearly, μⱼ(f) = 0.3·aⱼᵀf + 0.4·(bⱼᵀf)² − 0.2, so a linear
/// predictor is misspecified (the setting where decision-focused training can help); realised returns add
/// Gaussian noise of standard deviation 0.3.
/// </summary>
public static class AllocationData
{
    /// <summary>Generates <paramref name="count"/> rows from a model fixed by <paramref name="seed"/>.</summary>
    public static List<AllocationRow> Generate(int count, int seed)
    {
        var model = new Random(seed);
        double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        int n = AllocationRow.ResourceCount, d = AllocationRow.FeatureCount;
        var a = Enumerable.Range(0, n * d).Select(_ => Normal(model) / Math.Sqrt(d)).ToArray();
        var b = Enumerable.Range(0, n * d).Select(_ => Normal(model) / Math.Sqrt(d)).ToArray();
        var random = new Random(seed + 1);
        var rows = new List<AllocationRow>(count);
        for (int i = 0; i < count; i++)
        {
            var f = Enumerable.Range(0, d).Select(_ => Normal(random)).ToArray();
            var mean = Enumerable.Range(0, n).Select(j =>
            {
                double lin = 0, quad = 0;
                for (int k = 0; k < d; k++) { lin += a[j * d + k] * f[k]; quad += b[j * d + k] * f[k]; }
                return 0.3 * lin + 0.4 * quad * quad - 0.2;
            }).ToArray();
            rows.Add(new AllocationRow
            {
                Features = f.Select(v => (float)v).ToArray(),
                TrueMean = mean.Select(v => (float)v).ToArray(),
                Label = mean.Select(v => (float)(v + 0.3 * Normal(random))).ToArray(),
            });
        }
        return rows;
    }
}
