using DiffOpt.Numerics;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// <see cref="SmallGram"/>: the lower triangle of α·GᵀG and α·GGᵀ against the sums of the definition, in managed code
/// (small) and through BLAS (above <see cref="SmallGram.MaxMultiplyAdds"/>), with a row length longer than the order;
/// the managed path leaves the strict upper part as it was.
/// </summary>
public class SmallGramTests
{
    [Theory]
    [InlineData(11, 10, false)]
    [InlineData(11, 60, true)]
    [InlineData(1, 7, false)]
    [InlineData(3, 0, true)]
    [InlineData(40, 30, false)]
    [InlineData(30, 40, true)]
    public void Lower_MatchesTheDefinition(int rows, int columns, bool outer)
    {
        var random = new Random(rows * 100 + columns);
        int order = outer ? rows : columns, ldc = order + 3;
        var g = Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var c = Enumerable.Repeat(double.NaN, Math.Max(order * ldc, 1)).ToArray();
        bool managed = (long)order * order * (outer ? columns : rows) <= SmallGram.MaxMultiplyAdds;
        SmallGram.Lower(g, rows, columns, outer, -0.5, c, ldc);
        for (int i = 0; i < order; i++)
            for (int j = 0; j <= i; j++)
            {
                double expected = -0.5 * (outer
                    ? Enumerable.Range(0, columns).Sum(k => g[i * columns + k] * g[j * columns + k])
                    : Enumerable.Range(0, rows).Sum(k => g[k * columns + i] * g[k * columns + j]));
                Assert.True(Math.Abs(c[i * ldc + j] - expected) < 1e-13 * (1 + Math.Abs(expected)), $"({i},{j}): {c[i * ldc + j]} vs {expected}");
            }
        if (managed && order > 1) Assert.True(double.IsNaN(c[1]), "the strict upper part is not written");
    }
}
