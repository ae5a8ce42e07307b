using DiffOpt.Numerics;

namespace DiffOpt.Tests.Numerics;

/// <summary><see cref="SmallGemv"/> against the defining sums y_i = α·Σ_j a_ij x_j + β·y_i (and the transposed), over shapes with vector tails.</summary>
public class SmallGemvTests
{
    public static TheoryData<bool, double, double> Cases()
    {
        var data = new TheoryData<bool, double, double>();
        foreach (bool transpose in new[] { false, true })
            foreach (double alpha in new[] { 1.0, -1.0, 0.5 })
                foreach (double beta in new[] { 0.0, 1.0, -2.0 })
                    data.Add(transpose, alpha, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IntegerData_MatchesTheSumsExactly(bool transpose, double alpha, double beta)
    {
        // Small integers (and halves) make every product and partial sum exact, whatever the order of summation.
        for (int rows = 0; rows <= 9; rows++)
            for (int columns = 0; columns <= 11; columns++)
            {
                var a = Enumerable.Range(0, rows * columns).Select(k => (double)((k * 7 % 11) - 5)).ToArray();
                var x = Enumerable.Range(0, transpose ? rows : columns).Select(k => (double)((k * 3 % 7) - 3)).ToArray();
                var y = Enumerable.Range(0, transpose ? columns : rows).Select(k => (double)(k % 5 - 2)).ToArray();
                var expected = Reference(a, rows, columns, transpose, alpha, x, beta, y);
                if (beta == 0) Array.Fill(y, double.NaN);   // β = 0 ignores y's contents
                SmallGemv.Multiply(a, rows, columns, transpose, alpha, x, beta, y);
                Assert.Equal(expected, y);
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RandomData_IsWithinRoundingOfTheSums(bool transpose, double alpha, double beta)
    {
        var random = new Random(12);
        foreach (var (rows, columns) in new[] { (72, 60), (65, 30), (5, 3), (13, 17) })
        {
            var a = Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() - 0.5).ToArray();
            var x = Enumerable.Range(0, transpose ? rows : columns).Select(_ => random.NextDouble() - 0.5).ToArray();
            var y = Enumerable.Range(0, transpose ? columns : rows).Select(_ => random.NextDouble() - 0.5).ToArray();
            var expected = Reference(a, rows, columns, transpose, alpha, x, beta, y);
            var bound = Reference(a.Select(Math.Abs).ToArray(), rows, columns, transpose, Math.Abs(alpha), x.Select(Math.Abs).ToArray(),
                Math.Abs(beta), y.Select(Math.Abs).ToArray());
            SmallGemv.Multiply(a, rows, columns, transpose, alpha, x, beta, y);
            // Each of the two evaluations is within (k + 2)·u·(|α|·|A||x| + |β||y|) of the exact value for sums of k terms
            // (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), so they differ by at most twice that.
            int terms = transpose ? rows : columns;
            for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - expected[i]) <= 2 * (terms + 2) * 1.2e-16 * bound[i], $"entry {i} of {rows} × {columns}");
        }
    }

    /// <summary>
    /// <see cref="SmallGemv.MultiplyBoth"/> against the two products it fuses, entry for entry (the same roundings), on
    /// random data over shapes with row and column tails, and on the defining sums for small integers (exact).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-2.0)]
    public void MultiplyBoth_EqualsItsTwoProducts(double beta)
    {
        var random = new Random(3);
        for (int rows = 0; rows <= 9; rows++)
            for (int columns = 0; columns <= 11; columns++)
            {
                double[] Draw(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
                var (a, x, z) = (Draw(rows * columns), Draw(columns), Draw(rows));
                var (y, w) = (Draw(rows), Draw(columns));
                var (expectedY, expectedW) = ((double[])y.Clone(), (double[])w.Clone());
                SmallGemv.Multiply(a, rows, columns, false, -1.5, x, beta, expectedY);
                SmallGemv.Multiply(a, rows, columns, true, -1.5, z, 1, expectedW);
                // Entries of at most ±4 in magnitude: every product and partial sum is exact, whatever the order of summation.
                double[] Integral(double[] v) => v.Select(e => Math.Round(8 * e)).ToArray();
                var integral = Integral(w);
                var exact = Reference(Integral(a), rows, columns, true, 1, Integral(z), 1, integral);
                if (beta == 0) Array.Fill(y, double.NaN);   // β = 0 ignores y's contents
                SmallGemv.MultiplyBoth(a, rows, columns, -1.5, x, beta, y, z, w);
                Assert.Equal(expectedY, y);
                Assert.Equal(expectedW, w);
                SmallGemv.MultiplyBoth(Integral(a), rows, columns, 1, new double[columns], 1, new double[rows], Integral(z), integral);
                Assert.Equal(exact, integral);
            }
    }

    [Fact]
    public void ShortSpans_Throw()
    {
        Assert.Throws<ArgumentException>(() => SmallGemv.Multiply(new double[5], 2, 3, false, 1, new double[3], 0, new double[2]));
        Assert.Throws<ArgumentException>(() => SmallGemv.Multiply(new double[6], 2, 3, true, 1, new double[2], 0, new double[2]));
        Assert.Throws<ArgumentException>(() => SmallGemv.MultiplyBoth(new double[6], 2, 3, 1, new double[3], 0, new double[2], new double[2], new double[2]));
    }

    private static double[] Reference(double[] a, int rows, int columns, bool transpose, double alpha, double[] x, double beta, double[] y)
    {
        int length = transpose ? columns : rows;
        var result = new double[length];
        for (int i = 0; i < length; i++)
        {
            double sum = 0;
            for (int k = 0; k < (transpose ? rows : columns); k++) sum += (transpose ? a[k * columns + i] : a[i * columns + k]) * x[k];
            result[i] = alpha * sum + (beta == 0 ? 0 : beta * y[i]);
        }
        return result;
    }
}
