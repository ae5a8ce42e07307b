using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Bounds that do not bound: h = +∞ means "no constraint" (per item and row: the row is dropped, its multiplier is 0
/// and so are the gradients of its G row and h entry); h = −∞ is a constraint no point meets, so its item is primal
/// infeasible and the rest of the batch is solved as if alone; far finite bounds (1e12 … 1e20, the usual stand-ins
/// for "none") solve like the problem without them, gradients included.
/// </summary>
public class InfiniteBoundTests(ITestOutputHelper output)
{
    private const int N = 5, M = 6, K = 2;

    /// <summary>Per item, the rows of h set to +∞ (shared G, per-item h).</summary>
    private static readonly int[][] FreeRows = [[0], [], [1, 4], [0, 5]];

    /// <summary>Four planted problems sharing G and A (two active rows each) and the infinite rows of <see cref="FreeRows"/>.</summary>
    private static (List<QpInstance> Items, QpTensors Args) Batch(int seed)
    {
        var random = new ProblemGenerator(seed);
        var basis = random.Planted(N, M, 2, K).Problem;
        var items = FreeRows.Select(_ =>
        {
            var planted = random.Planted(N, M, 2, K);
            return planted.Problem with { G = basis.G, A = basis.A, H = basis.G * planted.Z + (planted.Problem.H - planted.Problem.G * planted.Z), B = basis.A * planted.Z };
        }).ToList();
        var args = QpTensors.Stack(items, shared: [QpArg.G, QpArg.A]);
        var h = args.H!.clone();
        for (int i = 0; i < FreeRows.Length; i++)
            foreach (int row in FreeRows[i]) h[i, row] = double.PositiveInfinity;
        return (items, args.With(QpArg.H, h));
    }

    /// <summary>The arguments of item <paramref name="i"/> alone (its rows of the batched ones, the shared ones as they are).</summary>
    private static QpTensors Alone(QpTensors args, int i) => QpTensors.FromArray(
        QpTensors.AllArgs.Select(a => args[a] is { } t && t.dim() > QpTensorsItems.UnbatchedRank(a) ? t[i] : args[a]).ToArray());

    /// <summary><paramref name="item"/> without the rows <paramref name="free"/> (those where the batch has h = +∞).</summary>
    private static QpInstance Reduced(QpInstance item, int[] free)
    {
        var keep = Enumerable.Range(0, item.M).Where(r => !free.Contains(r)).ToArray();
        return item with
        {
            G = Matrix<double>.Build.DenseOfRowVectors(keep.Select(item.G.Row).ToArray()),
            H = Vector<double>.Build.DenseOfEnumerable(keep.Select(r => item.H[r])),
        };
    }

    [Fact]
    public void Solve_DropsRowsWithInfiniteH_PerItem()
    {
        var (items, args) = Batch(1401);

        var solution = args.Solve(FiniteDifferences.Tight);

        for (int i = 0; i < items.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            var reduced = SolutionItem.Of(QpTensors.Single(Reduced(items[i], FreeRows[i])).Solve(FiniteDifferences.Tight), 0);
            Assert.Equal(SolverStatus.Solved, item.Status);
            Assert.All(FreeRows[i], row => Assert.Equal(0.0, item.Lambda[row]));
            VectorAssert.Close(reduced.X, item.X, 1e-9, $"item {i}: x vs the problem without its infinite rows", output);
            var kept = Vector<double>.Build.DenseOfEnumerable(Enumerable.Range(0, M).Where(r => !FreeRows[i].Contains(r)).Select(r => item.Lambda[r]));
            VectorAssert.Close(reduced.Lambda, kept, 1e-9, $"item {i}: λ of the other rows", output);
            Assert.True(double.IsFinite(item.PrimalResidual) && double.IsFinite(item.DualResidual) && double.IsFinite(item.DualityGap));
        }
    }

    [Fact]
    public void Apply_GivesZeroGradientsForInfiniteRows_AndCentralDifferencesElsewhere()
    {
        var (_, args) = Batch(1402);
        var random = new ProblemGenerator(1403);
        var weights = FiniteDifferences.RandomWeights(args, random);

        var grads = FiniteDifferences.Gradients(args, weights, FiniteDifferences.Tight, QpTensors.AllArgs);

        foreach (var (arg, grad) in grads)
            Assert.True(isfinite(grad).all().item<bool>(), $"the gradient of {arg} is not finite");
        for (int i = 0; i < FreeRows.Length; i++)
            foreach (int row in FreeRows[i])
                Assert.Equal(0.0, grads[QpArg.H][i, row].item<double>());
        // G is shared: its gradient sums the items'; a row is zero where every item drops it (none here), so check the
        // per-item gradients through a batch of the items alone instead.
        for (int i = 0; i < FreeRows.Length; i++)
        {
            var g = FiniteDifferences.Gradients(Alone(args, i), weights[i], FiniteDifferences.Tight, QpArg.G)[QpArg.G];
            foreach (int row in FreeRows[i])
                Assert.Equal(0.0, g[row].abs().max().item<double>());
        }

        // Central differences along directions that leave the infinite entries alone.
        var finite = isfinite(args.H!).to(ScalarType.Float64);
        var directions = FiniteDifferences.RandomDirections(args, random, 2, QpTensors.AllArgs)
            .Select(d => d.Arg == QpArg.H ? (d.Arg, d.Direction * finite) : d).ToList();
        GradientAssert.AllClose(FiniteDifferences.Compare(args, weights, directions), output);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Solve_ReturnsPrimalInfeasible_ForMinusInfinityInH_AndSolvesTheRestAsAlone(ScalarType dtype)
    {
        var (items, args) = Batch(1404);
        var h = args.H!.clone();
        h[2, 3] = double.NegativeInfinity;
        args = args.With(QpArg.H, h).To(dtype);

        var solution = args.Solve();

        Assert.Equal(SolverStatus.PrimalInfeasible, solution.Status[2]);
        for (int i = 0; i < items.Count; i++)
        {
            if (i == 2) continue;
            var alone = Alone(args, i).Solve();
            Assert.Equal(SolverStatus.Solved, solution.Status[i]);
            Assert.Equal(alone.Iterations[0], solution.Iterations[i]);
            Assert.True(alone.X[0].eq(solution.X[i]).all().item<bool>(), $"item {i} differs from its solve alone");
            Assert.True(alone.InequalityDuals[0].eq(solution.InequalityDuals[i]).all().item<bool>(), $"item {i}: λ differs from its solve alone");
        }
    }

    [Fact]
    public void Solve_RejectsNaNInH_StillNamingH()
    {
        var (_, args) = Batch(1405);
        var h = args.H!.clone();
        h[1, 2] = double.NaN;
        var error = Assert.ThrowsAny<ArgumentException>(() => args.With(QpArg.H, h).Solve());
        Assert.Equal("h", error.ParamName);
        Assert.Contains("NaN", error.Message);
    }

    /// <summary>Far bounds, one-sided (m = 4 + n ≤ 2n: the Schur form) or two-sided (m = 4 + 2n: the primal form).</summary>
    public static TheoryData<double, bool> FarBounds => new()
    {
        { 1e12, false }, { 1e15, false }, { 1e20, false },
        { 1e12, true }, { 1e15, true }, { 1e20, true },
    };

    [Theory]
    [MemberData(nameof(FarBounds))]
    public void Solve_SolvesFarFiniteBoundsAsTheProblemWithoutThem_GradientsIncluded(double bound, bool twoSided)
    {
        const int n = 6;
        var random = new ProblemGenerator(1410);
        var plain = Enumerable.Range(0, 3).Select(_ => random.Planted(n, 4, 2, 1).Problem).ToList();
        var identity = Matrix<double>.Build.DenseIdentity(n);
        var boxes = twoSided ? identity.Stack(-identity) : identity;
        var bounded = plain.Select(q => q with
        {
            G = q.G.Stack(boxes),
            H = Vector<double>.Build.DenseOfEnumerable(q.H.Concat(Enumerable.Repeat(bound, boxes.RowCount))),
        }).ToList();
        var weights = FiniteDifferences.RandomWeights(QpTensors.Stack(plain), random);

        var solution = QpTensors.Stack(bounded).Solve();
        var reference = QpTensors.Stack(plain).Solve();
        var grads = FiniteDifferences.Gradients(QpTensors.Stack(bounded), weights, QpSolverOptions.Default, QpTensors.AllArgs);
        var referenceGrads = FiniteDifferences.Gradients(QpTensors.Stack(plain), weights, QpSolverOptions.Default, QpTensors.AllArgs);

        output.WriteLine($"bound {bound:G3}: status {string.Join(", ", solution.Status)}, iterations {string.Join(", ", solution.Iterations)}");
        Assert.All(solution.Status, s => Assert.Equal(SolverStatus.Solved, s));
        for (int i = 0; i < plain.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            VectorAssert.Close(SolutionItem.Of(reference, i).X, item.X, 1e-6, $"item {i}: x vs no bounds", output);
            Assert.True(item.Lambda.Skip(4).All(l => Math.Abs(l) <= 1e-9), $"item {i}: the far bounds have multipliers {VectorAssert.Format(item.Lambda)}");
        }
        var boundRows = Ranges.Arange(4, 4 + boxes.RowCount, ScalarType.Int64);
        AssertClose(referenceGrads[QpArg.P], grads[QpArg.P], "p");
        AssertClose(referenceGrads[QpArg.Q], grads[QpArg.Q], "Q");
        AssertClose(referenceGrads[QpArg.B], grads[QpArg.B], "b");
        AssertClose(referenceGrads[QpArg.H], grads[QpArg.H][.., ..4], "h (other rows)");
        AssertClose(referenceGrads[QpArg.G], grads[QpArg.G][.., ..4], "G (other rows)");
        AssertClose(zeros_like(grads[QpArg.H].index_select(1, boundRows)), grads[QpArg.H].index_select(1, boundRows), "h (bound rows)");
        AssertClose(zeros_like(grads[QpArg.G].index_select(1, boundRows)), grads[QpArg.G].index_select(1, boundRows), "G (bound rows)");
    }

    private void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double error = (expected - actual).abs().max().item<double>() / (1 + expected.abs().max().item<double>());
        output.WriteLine($"{what}: gradient relative difference {error:E2}");
        Assert.True(error <= 1e-5, $"{what}: the gradient differs from the problem's without the far bounds by {error:G3}");
    }
}
