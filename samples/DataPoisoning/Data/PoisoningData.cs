using static TorchSharp.torch;

namespace DataPoisoning.Data;

/// <summary>A labelled data set: features (N, n) and labels ±1 (N), float64.</summary>
public sealed record LabelledSet(Tensor Features, Tensor Labels)
{
    /// <summary>Number of points.</summary>
    public int Count => (int)Features.shape[0];

    /// <summary>Number of features.</summary>
    public int FeatureCount => (int)Features.shape[1];
}

/// <summary>
/// The paper's setup: standard normal features, labels sign(xᵀθ_true + 0.5·noise) for a random θ_true (the same
/// recipe as cvxpylayers' logistic benchmark), split into training and test halves.
/// </summary>
public static class PoisoningData
{
    /// <summary>Generates <paramref name="count"/> points of <paramref name="features"/> features; the first half trains.</summary>
    public static (LabelledSet Train, LabelledSet Test) Generate(int count, int features, int seed)
    {
        if (count < 4) throw new ArgumentOutOfRangeException(nameof(count), count, "At least 4 points are needed.");
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "At least one feature is needed.");
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var truth = Enumerable.Range(0, features).Select(_ => Normal()).ToArray();
        var x = new double[count * features];
        var labels = new double[count];
        for (int i = 0; i < count; i++)
        {
            double score = 0.5 * Normal();
            for (int j = 0; j < features; j++)
            {
                x[i * features + j] = Normal();
                score += x[i * features + j] * truth[j];
            }
            labels[i] = score >= 0 ? 1 : -1;
        }
        int train = count / 2;
        LabelledSet Part(int start, int length) => new(
            tensor(x.AsSpan(start * features, length * features).ToArray(), [length, features], ScalarType.Float64),
            tensor(labels.AsSpan(start, length).ToArray(), [length], ScalarType.Float64));
        return (Part(0, train), Part(train, count - train));
    }
}
