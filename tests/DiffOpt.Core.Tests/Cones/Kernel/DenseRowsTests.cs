using DiffOpt.Cones;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// <see cref="DenseRows"/>: Âx and Âᵀz with rows of one nonzero applied as scalars (and empty rows skipped) against
/// the sums of the definition, for β = 0 (y's contents ignored, even NaN), 1 and another β, with and without BLAS.
/// </summary>
public class DenseRowsTests
{
    private const int Rows = 9, Columns = 6;

    /// <summary>An item whose Â has dense rows, rows with one nonzero (in varying columns) and an empty row.</summary>
    private static ItemProgram Item(Random random, bool split)
    {
        var a = new double[Rows * Columns];
        for (int i = 0; i < Rows; i++)
        {
            var row = a.AsSpan(i * Columns, Columns);
            if (!split || i % 3 == 0)
                for (int j = 0; j < Columns; j++) row[j] = random.NextDouble() * 2 - 1;
            else if (i != 4) row[(i * 5) % Columns] = random.NextDouble() * 4 - 2;
        }
        double[] Ones(int length) => Enumerable.Repeat(1.0, length).ToArray();
        return new ItemProgram(Rows, Columns, a, new double[Rows], new double[Columns], null, a, new double[Rows], new double[Columns],
            null, Ones(Rows), Ones(Columns), 1);
    }

    private static double[] Random(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray();

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Products_MatchTheDefinition(bool split, bool native)
    {
        var random = new Random(11);
        var rows = new DenseRows(Rows, Columns, native);
        // Two items bound in turn: the second's products must not use the first's split.
        foreach (var item in new[] { Item(random, split), Item(random, !split) })
        {
            rows.Bind(item);
            var a = item.DenseScaledA;
            var x = Random(random, Columns);
            var z = Random(random, Rows);
            foreach (double beta in new[] { 0, 1, 0.5 })
            {
                var y = beta == 0 ? Enumerable.Repeat(double.NaN, Rows).ToArray() : Random(random, Rows);
                var expected = Enumerable.Range(0, Rows)
                    .Select(i => (beta == 0 ? 0 : beta * y[i]) - 1.5 * Enumerable.Range(0, Columns).Sum(j => a[i * Columns + j] * x[j])).ToArray();
                rows.Multiply(-1.5, x, beta, y);
                Assert.Equal(expected, y, (p, q) => Math.Abs(p - q) < 1e-13);

                var w = beta == 0 ? Enumerable.Repeat(double.NaN, Columns).ToArray() : Random(random, Columns);
                var expectedT = Enumerable.Range(0, Columns)
                    .Select(j => (beta == 0 ? 0 : beta * w[j]) + 2 * Enumerable.Range(0, Rows).Sum(i => a[i * Columns + j] * z[i])).ToArray();
                rows.MultiplyTransposed(2, z, beta, w);
                Assert.Equal(expectedT, w, (p, q) => Math.Abs(p - q) < 1e-13);
            }
        }
    }

    /// <summary>
    /// <see cref="DenseRows.MultiplyBoth"/> (Âx and Âᵀz in one pass, for a KKT residual) against the two products it
    /// replaces, entry for entry, with the dense rows packed (split) or multiplied in place, with and without BLAS.
    /// </summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void MultiplyBoth_EqualsMultiplyAndMultiplyTransposed(bool split, bool native)
    {
        var random = new Random(17);
        var rows = new DenseRows(Rows, Columns, native);
        foreach (var item in new[] { Item(random, split), Item(random, !split) })
        {
            rows.Bind(item);
            var (x, z, y, w) = (Random(random, Columns), Random(random, Rows), Random(random, Rows), Random(random, Columns));
            var (expectedY, expectedW) = ((double[])y.Clone(), (double[])w.Clone());
            rows.Multiply(-1, x, 1, expectedY);
            rows.MultiplyTransposed(-1, z, 1, expectedW);
            rows.MultiplyBoth(-1, x, y, z, w);
            Assert.Equal(expectedY, y);
            Assert.Equal(expectedW, w);
        }
    }

    /// <summary>
    /// <see cref="ItemKkt"/> on an item with one-entry and empty orthant rows (its products through <see cref="DenseRows"/>):
    /// three right-hand sides after one factorisation each
    /// solve K[Δx; Δz] = rhs, K = [0, Âᵀ; Â, −Hs], to a relative residual formed from the definition.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ItemKkt_SolvesWithOneEntryRows_ToASmallResidual(bool native)
    {
        var random = new Random(5);
        var cones = HomogeneousItemSolver.Create([new ZeroCone(2), new NonnegativeCone(6), new NonnegativeCone(3)]);
        int n = 6, m = 11;
        var a = Random(random, m * n);
        for (int i = 2; i < 8; i++) a.AsSpan(i * n, n).Clear();
        (a[2 * n + 0], a[3 * n + 5], a[4 * n + 0], a[6 * n + 3], a[7 * n + 1]) = (-1, 2.5, 0.75, 1, -2);   // row 5 empty
        var s = Enumerable.Range(0, m).Select(i => i < 2 ? 0 : 0.1 + random.NextDouble()).ToArray();
        var z = Enumerable.Range(0, m).Select(i => i < 2 ? 0 : 0.1 + random.NextDouble()).ToArray();
        foreach (var cone in cones) Assert.True(cone.Scale(s.AsSpan(cone.Offset, cone.Rows), z.AsSpan(cone.Offset, cone.Rows)));
        var data = ItemEquilibration.Create(cones, m, n, a, new double[m], new double[n], null);
        var kkt = new ItemKkt(cones, n, m, native);
        Assert.True(kkt.Factor(data));
        var scaled = data.DenseScaledA;
        for (int k = 0; k < 3; k++)
        {
            var (top, bottom, dx, dz) = (Random(random, n), Random(random, m), new double[n], new double[m]);
            Assert.True(kkt.Solve(top, bottom, dx, dz));
            var hz = new double[m];
            foreach (var cone in cones)
                if (!cone.IsZero) cone.MulH(dz.AsSpan(cone.Offset, cone.Rows), hz.AsSpan(cone.Offset, cone.Rows));
            double worst = 0;
            for (int j = 0; j < n; j++) worst = Math.Max(worst, Math.Abs(top[j] - Enumerable.Range(0, m).Sum(i => scaled[i * n + j] * dz[i])));
            for (int i = 0; i < m; i++)
                worst = Math.Max(worst, Math.Abs(bottom[i] - Enumerable.Range(0, n).Sum(j => scaled[i * n + j] * dx[j]) + hz[i]));
            Assert.True(worst < 1e-10 * Math.Max(top.Max(Math.Abs), bottom.Max(Math.Abs)), $"solve {k}: residual {worst}");
        }
    }

    [Fact]
    public void Nonzeros_CountsUpToTwo_AndNamesTheColumnOfOne()
    {
        Assert.Equal(0, DenseRows.Nonzeros([0, 0, 0], out int none));
        Assert.Equal(-1, none);
        Assert.Equal(1, DenseRows.Nonzeros([0, -3, 0], out int one));
        Assert.Equal(1, one);
        Assert.Equal(2, DenseRows.Nonzeros([1, 0, 2, 5], out _));
    }

    /// <summary>
    /// The vectorised count (four entries at a time, then the tail) against a scalar count, on rows of every length up
    /// to 13 with one or two nonzeros (or a NaN, which counts) at every position, and empty rows.
    /// </summary>
    [Fact]
    public void Nonzeros_MatchesAScalarCount_AtEveryPosition()
    {
        for (int length = 0; length <= 13; length++)
            for (int first = -1; first < length; first++)
                for (int second = first; second < length; second++)
                {
                    var row = new double[length];
                    if (first >= 0) row[first] = first % 3 == 0 ? double.NaN : -0.5 - first;
                    if (second > first) row[second] = 2;
                    int expected = row.Count(v => v != 0);
                    int count = DenseRows.Nonzeros(row, out int column);
                    Assert.Equal(expected, count);
                    if (expected == 1) Assert.Equal(first >= 0 ? first : second, column);
                    if (expected == 0) Assert.Equal(-1, column);
                }
    }

    [Fact]
    public void Classify_NamesTheColumnOfOneNonzero_AndMarksEmptyAndDenseRows()
    {
        int n = 9;
        var a = new double[4 * n];
        a[0 * n + 7] = 3;                     // one nonzero, in the vectorised part's second block
        (a[1 * n + 0], a[1 * n + 8]) = (1, -1);   // two
        a[3 * n + 8] = -2;                    // one, in the tail
        var columns = new int[4];
        DenseRows.Classify(a, 4, n, columns);
        Assert.Equal([7, DenseRows.DenseRow, DenseRows.EmptyRow, 8], columns);
    }
}
