using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The cost model that routes a sparse batch to the active-set or the sparse derivative solver
/// (<see cref="ActiveSetCost"/>): the order it counts is the one <see cref="ActiveSetItem"/> factorises, and a sparse
/// program whose D is diagonal with few free variables goes to <see cref="ActiveSetDerivativeSolver"/>, whose solves
/// satisfy J·z = r and agree with the sparse solver's (forced) on the same batch.
/// </summary>
public class ActiveSetCostTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 3)]
    public void OrderIsTheActiveSetItems(bool withP, int seed)
    {
        const int n = 8, m = 14;
        var random = new Random(seed);
        for (int trial = 0; trial < 50; trial++)
        {
            // Rows with one nonzero (some on the same column) and rows with several; d in {0, ½, 1}.
            var a = new double[m * n];
            var mask = new bool[m * n];
            for (int i = 0; i < m; i++)
            {
                int nonzeros = random.Next(3) == 0 ? 1 + random.Next(4) : 1;
                for (int t = 0; t < nonzeros; t++)
                {
                    int j = random.Next(n);
                    a[i * n + j] = random.NextDouble() + 0.5;
                    mask[i * n + j] = true;
                }
            }
            var d = Enumerable.Range(0, m).Select(_ => new[] { 0, 0.5, 1, 1 }[random.Next(4)]).ToArray();
            var p = withP ? Enumerable.Range(0, n * n).Select(e => e % (n + 1) == 0 ? 1.0 : 0).ToArray() : [];
            var item = new ActiveSetItem(a, p, d, n);
            var (order, square) = ActiveSetCost.Order(d, ActiveSetCost.SingleColumns(mask, m, n), n, withP);
            Assert.Equal(item.Order, order);
            if (square) Assert.False(withP);
        }
    }

    // The routing of the CPU kernels (the tensor path has neither solver).
    [KernelPathFact]
    public void DiagonalSparseProgramTakesTheActiveSetPath()
    {
        // n = 30 variables x ≥ 0 (30 single-nonzero rows) and 10 sparse rows, nonnegative cone, P diagonal; half of
        // the bounds and of the other rows active (v > 0): the active-set system has order 15 + 5.
        const int batch = 3, n = 30, extra = 10, m = n + extra;
        var random = new Random(7);
        var support = new SortedSet<long>();
        for (int j = 0; j < n; j++) support.Add((long)j * n + j);
        // Each other row has a variable of its own among the free (odd) ones, so that J is nonsingular.
        for (int i = n; i < m; i++)
        {
            support.Add((long)i * n + 2 * (i - n) + 1);
            for (int t = 0; t < 2; t++) support.Add((long)i * n + random.Next(n));
        }
        var entries = support.ToArray();
        var values = tensor(Enumerable.Range(0, batch * entries.Length).Select(_ => random.NextDouble() + 0.5).ToArray(), dtype: ScalarType.Float64)
            .view(batch, entries.Length);
        var sparseA = SparseBatchMatrix.FromSupport(entries, m, n, values);
        var A = sparseA.Dense(batch);
        var P = eye(n, dtype: ScalarType.Float64).Times(0.5);
        var signs = Enumerable.Range(0, batch * m).Select(k => k % m % 2 == 0 ? 1.0 : -1.0).ToArray();
        var v = tensor(signs, dtype: ScalarType.Float64).view(batch, m) * rand(batch, m, dtype: ScalarType.Float64, generator: new Generator(5)).Plus(0.5);
        var (y, s) = (v.AtLeast(0L), (-v).AtLeast(0L));
        var generator = new Generator(3);
        var x = randn(batch, n, dtype: ScalarType.Float64, generator: generator);
        var b = randn(batch, m, dtype: ScalarType.Float64, generator: generator);
        var c = randn(batch, n, dtype: ScalarType.Float64, generator: generator);
        Cone[] cones = [new NonnegativeCone(m)];
        var derivative = new ConeProgramDerivative(cones, sparseA, b, c, P, x, y, s);
        Assert.IsType<ActiveSetDerivativeSolver>(derivative.Solver);
        Assert.Equal(new[] { 15 + 5, 15 + 5, 15 + 5 }, ((ActiveSetDerivativeSolver)derivative.Solver).ReducedOrders);

        var d = new CompositeCone(cones).ProjectDualDerivative(v);
        var dense = d.Dense();
        var identity = eye(m, dtype: ScalarType.Float64);
        Tensor Jacobian(long[] items, Tensor dj)
        {
            var aj = A.index_select(0, tensor(items));
            return cat([cat([P.expand(items.Length, n, n), aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - identity], 2)], 1);
        }
        var sparse = SparseDerivativeSolver.TryCreate(cones, sparseA, batch, P.expand(batch, n, n), d, Jacobian, force: true);
        Assert.NotNull(sparse);
        var full = Jacobian([0, 1, 2], dense);
        var r = randn(batch, n + m, dtype: ScalarType.Float64, generator: generator);
        foreach (bool transpose in new[] { false, true })
        {
            var (z, _) = derivative.Solver.Solve(r, transpose);
            var (expected, _) = sparse!.Solve(r, transpose);
            var jz = (transpose ? full.transpose(1, 2) : full).matmul(z.unsqueeze(2)).squeeze(2);
            double residual = (jz - r).abs().max().item<double>();
            double difference = (z - expected).abs().max().item<double>();
            output.WriteLine($"transpose {transpose}: ‖J·z − r‖∞ {residual:E2}, against the sparse solver {difference:E2}");
            Assert.True(residual <= 1e-10, $"residual {residual:E2}");
            Assert.True(difference <= 1e-10 * Math.Max(1, expected.abs().max().item<double>()), $"difference {difference:E2}");
        }
    }
}
