using DiffOpt.Numerics;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// <see cref="BlockedGram"/>: the lower triangle of GᵀG against the definition, exactly for small integers (every
/// product and partial sum exact) and bit for bit against the fused multiply–adds in row order on random data, over
/// shapes with partial blocks of rows and columns.
/// </summary>
public class BlockedGramTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(100, 50)]
    [InlineData(17, 9)]
    [InlineData(6, 16)]
    [InlineData(0, 4)]
    public void Lower_MatchesTheDefinition(int rows, int columns)
    {
        int p = BlockedGram.Padded(columns);
        Assert.True(p % BlockedGram.Width == 0 && p >= columns && p < columns + BlockedGram.Width);
        var random = new Random(rows * 31 + columns);
        foreach (bool integers in new[] { true, false })
        {
            var g = new double[Math.Max(rows * p, 1)];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < columns; j++) g[r * p + j] = integers ? random.Next(-4, 5) : random.NextDouble() - 0.5;
            var result = Enumerable.Repeat(double.NaN, p * p).ToArray();
            BlockedGram.Lower(g, rows, columns, result);
            for (int j = 0; j < columns; j++)
                for (int l = 0; l <= j; l++)
                {
                    double expected = 0;
                    for (int r = 0; r < rows; r++) expected = Math.FusedMultiplyAdd(g[r * p + j], g[r * p + l], expected);
                    Assert.Equal(expected, result[j * p + l]);
                    if (integers) Assert.Equal(Enumerable.Range(0, rows).Sum(r => g[r * p + j] * g[r * p + l]), result[j * p + l]);
                }
        }
    }
}
