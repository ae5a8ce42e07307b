using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Unbatched arguments are shared by every item of the batch: the forward pass equals solving each item alone,
/// and the gradient of a shared argument is the sum (not the mean) of the items' gradients, with the argument's shape.
/// </summary>
public class BroadcastTests(ITestOutputHelper output)
{
    public static TheoryData<QpArg[]> SharedSets => new()
    {
        new[] { QpArg.Q },
        new[] { QpArg.Q, QpArg.G, QpArg.A },
        new[] { QpArg.G, QpArg.H, QpArg.A, QpArg.B },
        new[] { QpArg.Q, QpArg.G, QpArg.H, QpArg.A, QpArg.B },
    };

    [Theory]
    [MemberData(nameof(SharedSets))]
    public void Apply_SharedArgumentGradientIsSumOverBatch_AndMatchesCentralDifferences(QpArg[] shared)
    {
        var random = new ProblemGenerator(301);
        var items = Variations(random.Planted(6, 8, 3, 2), shared, 3, random);
        var point = QpTensors.Stack(items, shared: shared);
        foreach (var arg in shared) Assert.Equal(QpTensorsItems.UnbatchedRank(arg), point[arg]!.dim());
        var weights = FiniteDifferences.RandomWeights(point, random);

        var grads = FiniteDifferences.Gradients(point, weights, FiniteDifferences.Tight, QpTensors.AllArgs);

        var solution = point.Solve(FiniteDifferences.Tight);
        for (int i = 0; i < items.Count; i++)
        {
            var alone = QpTensors.Single(items[i]);
            VectorAssert.Close(SolutionItem.Of(alone.Solve(FiniteDifferences.Tight), 0).X, SolutionItem.Of(solution, i).X, 1e-12, $"item {i}: broadcast vs alone");
        }
        foreach (var arg in shared)
        {
            var sum = Enumerable.Range(0, items.Count)
                .Select(i => FiniteDifferences.Gradients(QpTensors.Single(items[i]), weights[i].unsqueeze(0), FiniteDifferences.Tight, arg)[arg])
                .Aggregate((x, y) => x.Plus(y));
            double difference = (sum - grads[arg]).abs().max().item<double>() / (1 + sum.abs().max().item<double>());
            output.WriteLine($"{arg}: shared gradient vs sum of per-item gradients, relative difference {difference:E2}");
            Assert.True(difference <= 1e-9, $"{arg}: shared gradient differs from the sum over the batch by {difference:G3}");
        }

        var comparisons = FiniteDifferences.Compare(point, weights, FiniteDifferences.RandomDirections(point, random, 2, QpTensors.AllArgs));
        GradientAssert.AllClose(comparisons, output);
    }

    [Fact]
    public void Solve_BroadcastsAcrossBatch_WhenOnlyPIsBatched()
    {
        var random = new ProblemGenerator(302);
        var (qp, z0) = random.Feasible(5, 7, 2);
        var ps = Enumerable.Range(0, 4).Select(_ => random.NormalVector(5)).ToList();
        var items = ps.Select(p => qp with { P = p }).ToList();
        var args = QpTensors.Stack(items, shared: [QpArg.Q, QpArg.G, QpArg.H, QpArg.A, QpArg.B]);

        var solution = args.Solve();

        Assert.Equal([4L, 5L], solution.X.shape);
        StatusHonesty.AssertHonest(args, solution);
        ReferenceComparison.AssertMatches(items.Select(i => new FeasibleQp(i, z0)).ToList(), solution, output, 1e-7, 1e-5, 1e-7);
    }

    [Fact]
    public void Solve_ReturnsBatchOfOne_WhenNothingIsBatched()
    {
        var random = new ProblemGenerator(303);
        var args = QpTensors.Single(random.Feasible(4, 5, 1).Problem);

        var solution = args.Solve();
        var z = args.Apply();

        Assert.Equal([1L, 4L], solution.X.shape);
        Assert.Equal([1L, 5L], solution.InequalityDuals.shape);
        Assert.Equal([1L, 1L], solution.EqualityDuals.shape);
        Assert.Equal(1, solution.BatchSize);
        Assert.Equal([1L, 4L], z.shape);
        Assert.Equal(0.0, (z - solution.X).abs().max().item<double>());
    }

    /// <summary>
    /// <paramref name="count"/> problems that agree with the planted problem on the shared arguments and differ by
    /// small perturbations elsewhere (0.05·N(0,1); Q + 0.05·U(0,1)·I stays definite). Where G or A vary, h and b
    /// (which must then be batched) are rebuilt around the planted z* (h = Gz* + slack + 0.05·U(0,1), b = Az*), so
    /// every item stays feasible.
    /// </summary>
    private static List<QpInstance> Variations(PlantedQp planted, QpArg[] shared, int count, ProblemGenerator random)
    {
        var basis = planted.Problem;
        var slack = basis.H - basis.G * planted.Z;
        bool Shares(QpArg arg) => shared.Contains(arg);
        Assert.False(!Shares(QpArg.G) && Shares(QpArg.H) || !Shares(QpArg.A) && Shares(QpArg.B), "h and b must vary with G and A");
        return Enumerable.Range(0, count).Select(_ =>
        {
            var g = Shares(QpArg.G) ? basis.G : basis.G + 0.05 * random.NormalMatrix(basis.M, basis.N);
            var a = Shares(QpArg.A) ? basis.A : basis.A + 0.05 * random.NormalMatrix(basis.K, basis.N);
            return new QpInstance(
                Shares(QpArg.Q) ? basis.Q : basis.Q + random.Uniform(0, 0.05) * Matrix<double>.Build.DenseIdentity(basis.N),
                Shares(QpArg.P) ? basis.P : basis.P + 0.05 * random.NormalVector(basis.N),
                g,
                Shares(QpArg.H) ? basis.H : g * planted.Z + slack + random.UniformVector(basis.M, 0, 0.05),
                a,
                Shares(QpArg.B) ? basis.B : a * planted.Z);
        }).ToList();
    }
}
