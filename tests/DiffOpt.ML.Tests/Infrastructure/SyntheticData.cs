using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Seeded feature/label sets for the trainer tests, each matching one built-in model's structure.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Labels from a teacher equality-constrained QP: z = argmin ½·q‖z‖² − xᵀz s.t. A*z = A*z0*, z ≥ 0, with a
    /// fixed random A* (k × n) and z0* &gt; 0, features x uniform in [0, 1).
    /// </summary>
    public static List<(double[] Features, double[] Label)> EqualityTeacher(int count, int n, int k, int seed, double q = 0.1)
    {
        var random = new Random(seed);
        var a = Matrix(random, k, n);
        var z0 = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var x = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray()).ToArray();
        using var scope = NewDisposeScope();
        var A = tensor(a, [k, n], ScalarType.Float64);
        var b = A.mv(tensor(z0, ScalarType.Float64));
        var solution = new QpSolver().Solve(eye(n, dtype: ScalarType.Float64).Times(q), tensor(x.SelectMany(v => v).ToArray(), [count, n], ScalarType.Float64).neg(),
            eye(n, dtype: ScalarType.Float64).neg(), zeros(n, dtype: ScalarType.Float64), A, b);
        Assert.True(solution.AllSolved);
        var labels = solution.X.data<double>().ToArray();
        return x.Select((f, i) => (f, labels.AsSpan(i * n, n).ToArray())).ToList();
    }

    /// <summary>Piecewise-constant signals of length n (labels) with Gaussian noise added (features).</summary>
    public static List<(double[] Features, double[] Label)> NoisySteps(int count, int n, int seed, double noise = 0.3)
    {
        var random = new Random(seed);
        var rows = new List<(double[], double[])>();
        for (var r = 0; r < count; r++)
        {
            var jump = random.Next(1, n);
            var (low, high) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            var clean = Enumerable.Range(0, n).Select(i => i < jump ? low : high).ToArray();
            rows.Add((clean.Select(v => v + noise * Gaussian(random)).ToArray(), clean));
        }
        return rows;
    }

    /// <summary>Labels clamp(Wx, −1, 1) for a fixed random W (n × d), features uniform in [−2, 2).</summary>
    public static List<(double[] Features, double[] Label)> ClippedLinear(int count, int d, int n, int seed)
    {
        var random = new Random(seed);
        var w = Matrix(random, n, d);
        var rows = new List<(double[], double[])>();
        for (var r = 0; r < count; r++)
        {
            var x = Enumerable.Range(0, d).Select(_ => 4 * random.NextDouble() - 2).ToArray();
            var y = Enumerable.Range(0, n).Select(i => Math.Clamp(Enumerable.Range(0, d).Sum(j => w[i * d + j] * x[j]), -1, 1)).ToArray();
            rows.Add((x, y));
        }
        return rows;
    }

    private static double[] Matrix(Random random, int rows, int columns) =>
        Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() * 2 - 1).ToArray();

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
