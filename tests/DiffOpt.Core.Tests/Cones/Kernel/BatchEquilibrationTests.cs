using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// <see cref="BatchEquilibration"/>: a batch whose A and P are shared is equilibrated once, and every item's program is
/// bit for bit the one <see cref="ItemEquilibration"/> gives that item from its own copy of the data; the CPU kernel
/// solves such a batch to the same points, statuses and iteration counts as the same data given batched per item.
/// </summary>
public class BatchEquilibrationTests(ITestOutputHelper output)
{
    public static TheoryData<string> Families => ["nonnegative", "soc", "psd", "exp", "mixed"];

    /// <summary>The solver tests' families plus an orthant-only one with rows of a single nonzero (the layers' bounds).</summary>
    private static Cone[] Family(string name) =>
        name == "nonnegative" ? [new ZeroCone(2), new NonnegativeCone(9)] : ConeProgramSolverTests.Family(name);

    /// <summary>A planted batch with A and P shared; in the orthant family A's last rows are bounds x_j ≥ 0 (one nonzero each).</summary>
    private static ConeProgramPoint Planted(string family, bool withP, int seed)
    {
        var cones = Family(family);
        var point = PlantedConePrograms.Plant(cones, variables: 7, batch: 4, seed: seed, withP: withP, sharedA: true, sharedP: true, diagonal: 2);
        if (family != "nonnegative") return point;
        // Bounds: rows 6..10 of A become −e_j, and b keeps the planted x feasible (s = x_j + margin ≥ 0 where planted active).
        var a = point.A.clone();
        for (int i = 6; i < 11; i++)
        {
            a[i].zero_();
            a[i, i - 5] = tensor(-1.0, dtype: ScalarType.Float64);
        }
        return PlantedConePrograms.Replant(point with { A = a }, point.S, point.Y);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Items_AreTheirOwnEquilibration_BitForBit_AndShareOne(bool withP)
    {
        var point = Planted("mixed", withP, seed: 31);
        int m = (int)point.A.shape[0], n = (int)point.A.shape[1];
        var cones = HomogeneousItemSolver.Create(point.Cones);
        var a = TensorCopy.ToDoubles(point.A);
        var p = point.P is null ? null : TensorCopy.ToDoubles(point.P);
        var b = TensorCopy.ToDoubles(point.B);
        var c = TensorCopy.ToDoubles(point.C);
        var shared = new BatchEquilibration(cones, m, n, a, p);
        ItemProgram? first = null;
        for (int i = 0; i < 4; i++)
        {
            // The items differ in b and c only; scaled by a different factor each, so that their cost scales σ differ.
            var (bi, ci) = (b.AsSpan(i * m, m).ToArray(), c.Skip(i * n).Take(n).Select(v => v * Math.Pow(10, i - 1)).ToArray());
            var ours = shared.Item(bi, ci);
            var theirs = ItemEquilibration.Create(cones, m, n, (double[])a.Clone(), bi, ci, (double[]?)p?.Clone());
            Assert.Equal(theirs.D, ours.D);
            Assert.Equal(theirs.E, ours.E);
            Assert.Equal(theirs.DenseScaledA, ours.DenseScaledA);
            Assert.Equal(theirs.ScaledB, ours.ScaledB);
            Assert.Equal(theirs.ScaledC, ours.ScaledC);
            Assert.Equal(theirs.ScaledP, ours.ScaledP);
            Assert.Equal(theirs.CostScale, ours.CostScale);
            Assert.True(ours.IsShared(ours.DenseScaledA) && ours.IsShared(ours.A!));
            Assert.False(theirs.IsShared(theirs.DenseScaledA));
            if (ours.ScaledP is not null) Assert.False(ours.IsShared(ours.ScaledP));   // σ·EPE is the item's own
            first ??= ours;
            // One equilibration: every item reads the batch's D, E, A and Â.
            Assert.Same(first.D, ours.D);
            Assert.Same(first.E, ours.E);
            Assert.Same(first.A, ours.A);
            Assert.Same(first.DenseScaledA, ours.DenseScaledA);
            if (i == 3) Assert.NotEqual(first.CostScale, ours.CostScale);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RowSplits_AreKeptForTheSharedÂ_AndMadeAgainForAnItemsOwnArray(bool native)
    {
        // The products and Gram sums of a consumer bound in turn to two items: of a batch sharing Â (the split kept),
        // and of two programs whose Â is the same array rewritten in between (as a pooled workspace's is): the second
        // must not reuse the first's split, whose one-entry rows differ.
        var cones = HomogeneousItemSolver.Create([new ZeroCone(1), new NonnegativeCone(7)]);
        int m = 8, n = 5;
        var random = new Random(41);
        double[] Matrix(int singleFrom)
        {
            var a = Enumerable.Range(0, m * n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            for (int i = singleFrom; i < m; i++)
            {
                a.AsSpan(i * n, n).Clear();
                a[i * n + i % n] = 1 + i;
            }
            return a;
        }
        var shared = new BatchEquilibration(cones, m, n, Matrix(4), null);
        var sharedItems = new[] { shared.Item(new double[m], Ones(n)), shared.Item(new double[m], Ones(n)) };
        var buffer = new double[m * n];
        ItemProgram Own(double[] a)
        {
            a.CopyTo(buffer, 0);
            return new ItemProgram(m, n, buffer, new double[m], new double[n], null, buffer, new double[m], new double[n], null, Ones(m), Ones(n), 1);
        }
        foreach (var (first, second) in new[] { (sharedItems[0], sharedItems[1]), (Own(Matrix(2)), (ItemProgram?)null) })
        {
            var rows = new DenseRows(m, n, native);
            var gram = new GramRows(cones, n, m);
            var g = Enumerable.Range(0, m * n).Select(_ => random.NextDouble()).ToArray();
            var k = new double[n * n];
            rows.Bind(first);
            gram.Gram(first, g, k);
            var item = second ?? Own(Matrix(5));   // rewrites the first's array: rows 2–4 no longer one-entry
            rows.Bind(item);
            var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
            var y = new double[m];
            rows.Multiply(1, x, 0, y);
            var expected = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, n).Sum(j => item.DenseScaledA[i * n + j] * x[j])).ToArray();
            Assert.Equal(expected, y, (p, q) => Math.Abs(p - q) < 1e-13);
            // G = FᵀÂ row by row (an orthant row scaled, the zero cone's row unused): ΣᵢGᵢGᵢᵀ over the orthant rows, lower triangle.
            var scales = Enumerable.Range(0, m).Select(_ => 0.5 + random.NextDouble()).ToArray();
            var gItem = Enumerable.Range(0, m * n).Select(e => scales[e / n] * item.DenseScaledA[e]).ToArray();
            gram.Gram(item, gItem, k);
            for (int r = 0; r < n; r++)
                for (int c = 0; c <= r; c++)
                    Assert.Equal(Enumerable.Range(1, m - 1).Sum(i => gItem[i * n + r] * gItem[i * n + c]), k[r * n + c], 1e-12);
        }
    }

    [Fact]
    public void BackwardError_OfASharedBatchsItems_IsEachItemsOwn()
    {
        // Â is shared and its magnitudes kept from item to item; P̂ = σEPE is each item's own (σ differs with c).
        var point = Planted("soc", withP: true, seed: 34);
        int m = (int)point.A.shape[0], n = (int)point.A.shape[1];
        var cones = HomogeneousItemSolver.Create(point.Cones);
        foreach (var cone in cones)
        {
            var e = new double[cone.Rows];
            cone.Unit(e);
            Assert.True(cone.Scale(e, e.Select(v => 2 * v).ToArray()));
        }
        var shared = new BatchEquilibration(cones, m, n, TensorCopy.ToDoubles(point.A), TensorCopy.ToDoubles(point.P!));
        var random = new Random(43);
        double[] Random(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var (top, bottom, dx, dz, residualTop, residualBottom) = (Random(n), Random(m), Random(n), Random(m), Random(n), Random(m));
        var reused = new KktBackwardError(cones, n, m, native: true);
        foreach (double scale in new[] { 1e-3, 1.0, 1e3 })
        {
            var item = shared.Item(new double[m], Random(n).Select(v => scale * v).ToArray());
            double fresh = new KktBackwardError(cones, n, m, native: true).Measure(item, top, bottom, dx, dz, residualTop, residualBottom);
            Assert.Equal(fresh, reused.Measure(item, top, bottom, dx, dz, residualTop, residualBottom));
        }
    }

    private static double[] Ones(int length) => Enumerable.Repeat(1.0, length).ToArray();

    [Theory]
    [MemberData(nameof(Families))]
    public void Kernel_StepsASharedBatch_AsTheSameDataGivenPerItem(string family)
    {
        // Item by item the same arithmetic on the same values (the items' programs are bit for bit the same, above), but
        // BLAS rounds by its buffers' alignment, so two solves of the same per-item data already differ in the last
        // bits; after a few steps (before the iterates near the cones' boundaries amplify them) such differences stay
        // at rounding level with P ≻ 0 (measured 2e-13 at most). With P = 0 the reduced matrix is singular but for δ
        // (HomogeneousKernelTests) and amplifies them to 1e-11 in 4 steps; the full solves below cover that case.
        // Per item before and after: workspaces bound to the shared Â must split the next Â afresh.
        var (shared, perItem) = SharedAndPerItem(Planted(family, withP: true, seed: 32));
        var options = ConeProgramSolverOptions.Default with { MaxIterations = 4 };
        var before = HomogeneousKernel.Solve(perItem, options, ScalarType.Float64);
        var ours = HomogeneousKernel.Solve(shared, options, ScalarType.Float64);
        var after = HomogeneousKernel.Solve(perItem, options, ScalarType.Float64);
        foreach (var theirs in new[] { before, after })
        {
            Assert.Equal(theirs.Status, ours.Status);
            foreach (var (name, x, y) in new[] { ("x", ours.X, theirs.X), ("y", ours.Y, theirs.Y), ("s", ours.S, theirs.S) })
            {
                double difference = ((x - y).abs() / y.abs().Plus(1L)).max().item<double>();
                output.WriteLine($"{family} P=True: {name} differs by {difference:E2}");
                Assert.True(difference <= 1e-12, $"{family} P=True: {name} differs by {difference:E2}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Kernel_SolvesASharedBatch_AsTheSameDataGivenPerItem(string family)
    {
        // Solved to the end, the iterates near the boundary amplify BLAS's alignment-dependent rounding: two per-item
        // solves of the same data were measured up to 3.4e-6 apart in x (PSD family), within the √gap resolution of an
        // interior point at tolerance 1e-8 (HomogeneousKernelTests). The shared batch must settle every item alike and,
        // with P ≻ 0 (x unique), reach x as close. Without P, x need not be unique (soc: items 0 and 3 have 5 of their
        // 7 variables fixed by the active constraints, so the optimal set is a face of dimension 2, and the two solves
        // were measured 1.9e-4 and 3.4e-4 apart along it in CI), so there the optimal values are compared instead.
        foreach (bool withP in new[] { true, false })
        {
            var point = Planted(family, withP, seed: 32);
            var (shared, perItem) = SharedAndPerItem(point);
            var ours = HomogeneousKernel.Solve(shared, ConeProgramSolverOptions.Default, ScalarType.Float64);
            var theirs = HomogeneousKernel.Solve(perItem, ConeProgramSolverOptions.Default, ScalarType.Float64);
            Assert.Equal(theirs.Status, ours.Status);
            Assert.Contains(SolverStatus.Solved, ours.Status);
            double difference = ((ours.X - theirs.X).abs() / theirs.X.abs().Plus(1L)).max().item<double>();
            var (value, reference) = ((point.C * ours.X).sum(1), (point.C * theirs.X).sum(1));
            double valueDifference = ((value - reference).abs() / reference.abs().Plus(1L)).max().item<double>();
            output.WriteLine($"{family} P={withP}: x differs by {difference:E2}, the optimal value by {valueDifference:E2}; " +
                $"iterations {string.Join(",", ours.Iterations)} and {string.Join(",", theirs.Iterations)}");
            if (withP) Assert.True(difference <= 1e-5, $"{family} P={withP}: x differs by {difference:E2}");
            Assert.True(valueDifference <= 1e-7, $"{family} P={withP}: the optimal value differs by {valueDifference:E2}");
        }
    }

    /// <summary>The point's data with A and P shared, and the same data with A and P copied per item.</summary>
    private static (ConeProgramData Shared, ConeProgramData PerItem) SharedAndPerItem(ConeProgramPoint point)
    {
        long batch = point.B.shape[0], m = point.A.shape[0], n = point.A.shape[1];
        var shared = ConeProgramData.Create(point.A, point.B, point.C, point.Cones, point.P).Wide();
        var perItem = ConeProgramData.Create(point.A.expand(batch, m, n).clone(), point.B, point.C, point.Cones,
            point.P?.expand(batch, n, n).clone()).Wide();
        Assert.True(shared.SharedA && !perItem.SharedA);
        return (shared, perItem);
    }

    [Fact]
    public void Kernel_SolvesASharedSparseA_AsTheSameValuesGivenPerItem()
    {
        // The modeling layer's route: A held by its support with values (k) when no parameter enters it.
        var point = Planted("nonnegative", withP: true, seed: 33);
        long batch = point.B.shape[0];
        int m = (int)point.A.shape[0], n = (int)point.A.shape[1];
        var mask = TensorCopy.ToDoubles(point.A).Select(v => v != 0).ToArray();
        var sparse = SparseBatchMatrix.Gather(point.A, mask);
        var batched = new SparseBatchMatrix(m, n, sparse.Starts, sparse.ColumnIndices, sparse.Values.expand(batch, sparse.Entries).clone());
        var shared = ConeProgramData.Create(sparse, point.B, point.C, point.Cones, point.P);
        var perItem = ConeProgramData.Create(batched, point.B, point.C, point.Cones, point.P);
        Assert.True(shared.SharedA && !perItem.SharedA);
        var ours = HomogeneousKernel.Solve(shared, ConeProgramSolverOptions.Default, ScalarType.Float64, path: KktPath.Dense);
        var theirs = HomogeneousKernel.Solve(perItem, ConeProgramSolverOptions.Default, ScalarType.Float64, path: KktPath.Dense);
        Assert.Equal(theirs.Status, ours.Status);
        Assert.Equal(theirs.Iterations, ours.Iterations);
        Assert.All(ours.Status, s => Assert.Equal(SolverStatus.Solved, s));
        double difference = (ours.X - theirs.X).abs().max().item<double>();
        output.WriteLine($"x differs by {difference:E2}");
        Assert.True(difference <= 1e-12, $"x differs by {difference:E2}");
    }
}
