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

    [Fact]
    public void Nonzeros_CountsUpToTwo_AndNamesTheColumnOfOne()
    {
        Assert.Equal(0, DenseRows.Nonzeros([0, 0, 0], out int none));
        Assert.Equal(-1, none);
        Assert.Equal(1, DenseRows.Nonzeros([0, -3, 0], out int one));
        Assert.Equal(1, one);
        Assert.Equal(2, DenseRows.Nonzeros([1, 0, 2, 5], out _));
    }
}
