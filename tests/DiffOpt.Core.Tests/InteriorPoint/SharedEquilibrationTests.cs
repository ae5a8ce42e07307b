using DiffOpt.Cones;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Core.Tests.InteriorPoint;

/// <summary>
/// The shared Ruiz equilibration with grouped rows (the cone solver's settings): every group of rows gets one factor,
/// the per-item kernel and the batched tensor sweeps compute the same factors, the equilibrated norms are 1 where the
/// sweeps converge, and the cone solver's two adapters (tensor and per item) agree.
/// </summary>
public class SharedEquilibrationTests
{
    /// <summary>An orthant of 2 rows, a second-order cone of 4 and two exponential triples: 12 rows.</summary>
    private static readonly Cone[] Cones = [new NonnegativeCone(2), new SecondOrderCone(4), new ExponentialCone(2)];

    private static readonly RowGroups Groups = new([new RowGroupRun(2, 4, 1), new RowGroupRun(6, 3, 2)]);

    /// <summary>Entries of magnitude 2^U(−8, 8) with random signs, (batch, rows, cols).</summary>
    private static Tensor BadlyScaled(long batch, long rows, long cols, int seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var magnitude = rand(batch, rows, cols, generator: generator, dtype: ScalarType.Float64).Times(16L).Minus(8L).exp2();
        var sign = rand(batch, rows, cols, generator: generator, dtype: ScalarType.Float64).lt(ScalarSafeOperations.Half)
            .to_type(ScalarType.Float64).Times(2L).Minus(1L);
        return magnitude * sign;
    }

    /// <summary>A badly scaled A (batch, rows, n) and a positive semidefinite P = QQᵀ (batch, n, n).</summary>
    private static (Tensor A, Tensor P) Data(long batch, long rows, long n, int seed)
    {
        var q = BadlyScaled(batch, n, n, seed + 1);
        return (BadlyScaled(batch, rows, n, seed), q.matmul(q.transpose(1, 2)));
    }

    [Fact]
    public void GroupedRows_GetOneFactorEach_AndBothPathsAgree()
    {
        using var scope = NewDisposeScope();
        var (a, p) = Data(3, 12, 5, seed: 2);
        var (kernelColumns, kernelRows) = RuizTensor.Factors(p, [(a, Groups)], 5, 3, RuizSettings.Cone, a, useKernel: true);
        var (tensorColumns, tensorRows) = RuizTensor.Factors(p, [(a, Groups)], 5, 3, RuizSettings.Cone, a, useKernel: false);

        Assert.True(kernelColumns.allclose(tensorColumns, rtol: 1e-13, atol: 0), "column factors differ between the paths");
        Assert.True(kernelRows[0].allclose(tensorRows[0], rtol: 1e-13, atol: 0), "row factors differ between the paths");
        var rows = kernelRows[0];
        foreach (var (offset, size) in new[] { (2, 4), (6, 3), (9, 3) })
        {
            var group = rows.narrow(1, offset, size);
            Assert.True(group.eq(group[.., 0..1]).all().item<bool>(), $"the group of rows {offset}..{offset + size - 1} holds different factors");
        }
        Assert.False(rows[.., 0].eq(rows[.., 1]).all().item<bool>(), "orthant rows must be scaled one by one");
    }

    /// <summary>
    /// The kernel's sweeps take rows in vector lanes of 8 and 4 (a row of any other length takes an overlapping last
    /// block) and its factor updates 4 at a time: on rows of every such length, with both rules for small norms and
    /// some rows and columns of entries below <see cref="RuizSettings.MinNorm"/>, the factors equal those of the sweeps
    /// written out one entry at a time (<see cref="ScalarSweeps"/>) bit for bit, before any rounding to powers of two.
    /// </summary>
    [Theory]
    [InlineData(3, false)]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(21, false)]
    [InlineData(21, true)]
    [InlineData(50, false)]
    public void KernelLanes_GiveTheScalarSweepsFactors_BitForBit(int n, bool raiseSmallNorms)
    {
        using var scope = NewDisposeScope();
        const int batch = 3, rows = 13;
        var (a, p) = Data(batch, rows, n, seed: n);
        a[.., 3] = a[.., 3].Times(1e-9);
        p[.., .., 1] = p[.., .., 1].Times(1e-9);
        p[.., 1, ..] = p[.., 1, ..].Times(1e-9);
        var settings = (raiseSmallNorms ? RuizSettings.Cone : RuizSettings.Qp(8)) with { PowersOfTwo = false, ConvergedChange = 1e-3 };
        var (columns, rowFactors) = RuizTensor.Factors(p, [(a, RowGroups.Singletons)], n, batch, settings, a, useKernel: true);

        for (int item = 0; item < batch; item++)
        {
            var (expectedColumns, expectedRows) = ScalarSweeps(p[item].data<double>().ToArray(), a[item].data<double>().ToArray(), n, rows, settings);
            Assert.Equal(expectedColumns.Select(BitConverter.DoubleToInt64Bits), columns[item].data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(expectedRows.Select(BitConverter.DoubleToInt64Bits), rowFactors[0][item].data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>
    /// Ruiz's sweeps on one item, one entry at a time: column j's norm max(maxᵢ dᵢ|Pᵢⱼ|, maxᵢ eᵢ|Aᵢⱼ|)·dⱼ, row i's
    /// maxⱼ (eᵢ|Aᵢⱼ|)·dⱼ, each factor divided by √ of its limited norm, until no factor moved by more than the
    /// settings' change.
    /// </summary>
    private static (double[] Columns, double[] Rows) ScalarSweeps(double[] p, double[] a, int n, int rows, RuizSettings settings)
    {
        var d = Enumerable.Repeat(1.0, n).ToArray();
        var e = Enumerable.Repeat(1.0, rows).ToArray();
        for (int sweep = 0; sweep < settings.Sweeps; sweep++)
        {
            var columnNorm = new double[n];
            var rowNorm = new double[rows];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) columnNorm[j] = Math.Max(columnNorm[j], d[i] * Math.Abs(p[i * n + j]));
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < n; j++)
                {
                    double entry = e[i] * Math.Abs(a[i * n + j]);
                    columnNorm[j] = Math.Max(columnNorm[j], entry);
                    rowNorm[i] = Math.Max(rowNorm[i], entry * d[j]);
                }
            double change = 0;
            for (int j = 0; j < n; j++) change = Math.Max(change, Divide(ref d[j], columnNorm[j] * d[j], settings));
            for (int i = 0; i < rows; i++) change = Math.Max(change, Divide(ref e[i], rowNorm[i], settings));
            if (change <= settings.ConvergedChange) break;
        }
        return (d, e);
    }

    /// <summary>factor /= √(limited norm); returns |1/√ − 1|.</summary>
    private static double Divide(ref double factor, double norm, RuizSettings settings)
    {
        double root = Math.Sqrt(settings.Limit(norm));
        factor /= root;
        return Math.Abs(1 / root - 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConvergedSweeps_OnSingletonRows_GiveUnitRowAndColumnNorms(bool useKernel)
    {
        // Ruiz's fixed point: with every row its own group, the sweeps converge to unit infinity norms (Ruiz 2001,
        // Theorem 2.1). Grouped rows have no such fixed point in general; their factors are tested above.
        using var scope = NewDisposeScope();
        var (a, p) = Data(2, 12, 6, seed: 7);
        var settings = RuizSettings.Cone with { Sweeps = 200 };
        var (columns, rowFactors) = RuizTensor.Factors(p, [(a, RowGroups.Singletons)], 6, 2, settings, a, useKernel);
        var scaled = rowFactors[0].unsqueeze(-1) * a * columns.unsqueeze(-2);
        var scaledP = columns.unsqueeze(-1) * p * columns.unsqueeze(-2);

        double columnError = Batched.Max(Batched.ColumnInfNorms(scaled), Batched.ColumnInfNorms(scaledP)).log2().abs().max().item<double>();
        Assert.True(columnError < 1e-6, $"max |log2 column norm| = {columnError:E2}");
        double rowError = Batched.RowInfNorms(scaled).log2().abs().max().item<double>();
        Assert.True(rowError < 1e-6, $"max |log2 row norm| = {rowError:E2}");
    }

    [Fact]
    public void ConeAdapters_TensorAndPerItem_GiveTheSameScaledProgram()
    {
        using var scope = NewDisposeScope();
        var (a, p) = Data(2, 12, 5, seed: 11);
        var b = BadlyScaled(2, 12, 1, seed: 13).squeeze(-1);
        var c = BadlyScaled(2, 5, 1, seed: 14).squeeze(-1);
        var data = ConeProgramData.Create(a, b, c, Cones, p);
        var batched = new ConeEquilibration(data);
        for (int item = 0; item < 2; item++)
        {
            double[] Row(Tensor t) => t[item].contiguous().data<double>().ToArray();
            var program = ItemEquilibration.Create(HomogeneousItemSolver.Create(Cones), 12, 5, Row(a), Row(b), Row(c), Row(p));
            AssertClose(Row(batched.D), program.D, "D");
            AssertClose(Row(batched.E), program.E, "E");
            AssertClose([batched.CostScale[item].item<double>()], [program.CostScale], "σ");
            AssertClose(Row(batched.A), program.DenseScaledA, "Â");
            AssertClose(Row(batched.C), program.ScaledC, "ĉ");
            AssertClose(Row(batched.P!), program.ScaledP!, "P̂");
        }
    }

    [Fact]
    public void PerItemSweeps_OverNonzerosOnly_GiveTheDenseProgramBitForBit_AndTheSameMeasures()
    {
        using var scope = NewDisposeScope();
        var (a, p) = Data(1, 12, 5, seed: 21);
        // Zero out about 70 % of A and P's off-diagonal entries (keeping P symmetric), as canonicalised programs are.
        var keep = ScalarSafeOperations.With(0.3, rand(1, 12, 5, generator: new TorchSharp.torch.Generator(22), dtype: ScalarType.Float64).lt)
            .to_type(ScalarType.Float64);
        a *= keep;
        var mask = ScalarSafeOperations.With(0.3, rand(1, 5, 5, generator: new TorchSharp.torch.Generator(23), dtype: ScalarType.Float64).lt)
            .to_type(ScalarType.Float64);
        mask = mask.Plus(mask.transpose(1, 2)).gt(ScalarSafeOperations.Zero).to_type(ScalarType.Float64)
            .Plus(eye(5, dtype: ScalarType.Float64).unsqueeze(0));
        p *= mask.AtMost(1L);
        var b = BadlyScaled(1, 12, 1, seed: 24).squeeze(-1);
        var c = BadlyScaled(1, 5, 1, seed: 25).squeeze(-1);
        double[] Row(Tensor t) => t[0].contiguous().data<double>().ToArray();
        var cones = HomogeneousItemSolver.Create(Cones);
        var dense = ItemEquilibration.Create(cones, 12, 5, Row(a), Row(b), Row(c), Row(p));
        var sparse = ItemEquilibration.Create(cones, 12, 5, Row(a), Row(b), Row(c), Row(p), sparse: true);
        Assert.NotNull(sparse.SparseA);
        Assert.True(sparse.SparseA!.Values.Length < 0.5 * 12 * 5, $"the test matrix has {sparse.SparseA.Values.Length} nonzeros of 60");
        Assert.Equal(dense.D, sparse.D);
        Assert.Equal(dense.E, sparse.E);
        Assert.Equal(dense.CostScale, sparse.CostScale);
        // The sparse program holds Â by A's nonzeros only: scattered, it is the dense program's Â.
        Assert.Null(sparse.ScaledA);
        var scaledA = new double[12 * 5];
        var nonzeros = sparse.ScaledSparseA!;
        for (int i = 0; i < 12; i++)
            for (int k = nonzeros.Starts[i]; k < nonzeros.Starts[i + 1]; k++) scaledA[i * 5 + nonzeros.ColumnIndices[k]] = nonzeros.Values[k];
        Assert.Equal(dense.ScaledA, scaledA);
        // P̂ likewise, by P's nonzeros only.
        Assert.Null(sparse.ScaledP);
        Assert.True(sparse.SparseP!.Values.Length < 0.8 * 5 * 5, $"the test P has {sparse.SparseP.Values.Length} nonzeros of 25");
        var scaledP = new double[5 * 5];
        var pNonzeros = sparse.ScaledSparseP!;
        for (int j = 0; j < 5; j++)
            for (int k = pNonzeros.Starts[j]; k < pNonzeros.Starts[j + 1]; k++) scaledP[j * 5 + pNonzeros.ColumnIndices[k]] = pNonzeros.Values[k];
        Assert.Equal(dense.ScaledP, scaledP);

        var random = new Random(26);
        double[] Point(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var (x, y, s) = (Point(5), Point(12), Point(12));
        var tolerances = new SolverTolerances(1e-8, 1e-8, 1e-8);
        var fromDense = Measures(dense, tolerances).Measure(x, y, s);
        var fromSparse = Measures(sparse, tolerances).Measure(x, y, s);
        double[] All((double, double, double, double, double, double) t) => [t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6];
        AssertClose(All(fromDense), All(fromSparse), "measures");
    }

    private static ItemMeasures Measures(ItemProgram item, SolverTolerances tolerances)
    {
        var measures = new ItemMeasures(item.Rows, item.Variables);
        measures.Bind(item, tolerances);
        return measures;
    }

    [Fact]
    public void CostScale_MakesTheLargerOfCostAndMeanQuadraticRowNormOne()
    {
        var c = new[] { 0.5, -3.0 };
        var p = new[] { 4.0, 1.0, 1.0, 8.0 };
        // max(‖c‖∞ = 3, mean(4, 8) = 6) = 6.
        Assert.Equal(1.0 / 6, CostScale.Of(c, p, hasP: true, RuizSettings.Cone), 15);
        Assert.Equal(1.0 / 3, CostScale.Of(c, p, hasP: false, RuizSettings.Cone), 15);
        using var scope = NewDisposeScope();
        var sigma = CostScale.Of(tensor(c).unsqueeze(0), tensor(p).view(1, 2, 2), RuizSettings.Cone);
        Assert.Equal(1.0 / 6, sigma.item<double>(), 15);
        Assert.Equal(1e-4, CostScale.Of(new[] { 1e9 }, [], hasP: false, RuizSettings.Cone), 15);
    }

    private static void AssertClose(double[] expected, double[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                $"{name}[{i}]: tensor {expected[i]:R}, per item {actual[i]:R}");
    }
}
