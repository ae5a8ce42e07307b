using DiffOpt.Numerics;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// <see cref="SmallTriangular"/>'s four-row blocks against the solves one row at a time (a dot product with the solved
/// prefix per row forwards, a scaled update of the prefix per row backwards, with <see cref="SpanKernels"/>), bit for
/// bit: the blocks only share the passes over the prefix. Orders around the block and vector boundaries, a row length
/// beyond the order, and an exact case (unit diagonal, small integers) against the definition.
/// </summary>
public class SmallTriangularTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(31)]
    [InlineData(50)]
    [InlineData(61)]
    public void Blocks_RoundLikeOneRowAtATime(int n)
    {
        var random = new Random(n);
        int lda = n + 3;
        var l = Enumerable.Range(0, n * lda).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++) l[i * lda + i] = 0.5 + random.NextDouble();
        foreach (bool transpose in new[] { false, true })
        {
            var rhs = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var expected = (double[])rhs.Clone();
            OneRowAtATime(l, n, lda, transpose, expected);
            var x = (double[])rhs.Clone();
            SmallTriangular.SolveLower(l, n, lda, transpose, x);
            Assert.Equal(expected, x);
        }
    }

    [Fact]
    public void UnitDiagonalIntegers_SolveExactly()
    {
        // With a unit diagonal and small integers every step is exact: L·x (or Lᵀ·x) reproduces b.
        const int n = 23;
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) l[i * n + j] = (i + 2 * j) % 3 - 1;
            l[i * n + i] = 1;
        }
        foreach (bool transpose in new[] { false, true })
        {
            var x = Enumerable.Range(0, n).Select(k => (double)(k % 5 - 2)).ToArray();
            var b = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) b[i] += (transpose ? (i <= j ? l[j * n + i] : 0) : (j <= i ? l[i * n + j] : 0)) * x[j];
            SmallTriangular.SolveLower(l, n, n, transpose, b);
            Assert.Equal(x, b);
        }
    }

    /// <summary>The solves one row at a time, as <see cref="SmallTriangular"/> was written before its blocks.</summary>
    private static void OneRowAtATime(double[] l, int n, int lda, bool transpose, double[] x)
    {
        if (!transpose)
        {
            for (int i = 0; i < n; i++) x[i] = (x[i] - SpanKernels.Dot(l.AsSpan(i * lda, i), x.AsSpan(0, i))) / l[i * lda + i];
            return;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = x[i] / l[i * lda + i];
            x[i] = xi;
            SpanKernels.AddScaled(-xi, l.AsSpan(i * lda, i), x.AsSpan(0, i));
        }
    }
}
