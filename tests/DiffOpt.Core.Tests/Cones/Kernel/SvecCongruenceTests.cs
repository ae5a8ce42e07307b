using DiffOpt.Cones;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The closed-form svec matrix of X ↦ MXMᵀ (<see cref="SvecCongruence"/>) against the congruence itself: applied to
/// svec(X) it gives svec(MXMᵀ) formed by explicit matrix products, for random non-symmetric M and symmetric X.
/// </summary>
public class SvecCongruenceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Matrix_MapsSvecOfXToSvecOfTheCongruence(int k)
    {
        var random = new Random(11 + k);
        int n = k * (k + 1) / 2;
        var m = Enumerable.Range(0, k * k).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var matrix = new double[n * n];
        SvecCongruence.Matrix(m, k, matrix);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = new double[k * k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j <= i; j++) x[i * k + j] = x[j * k + i] = 2 * random.NextDouble() - 1;
            // MXMᵀ by its definition, entry by entry.
            var y = new double[k * k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++) y[i * k + j] += m[i * k + a] * x[a * k + b] * m[j * k + b];
            var expected = Svec(y, k);
            var svecX = Svec(x, k);
            for (int p = 0; p < n; p++)
            {
                double actual = Enumerable.Range(0, n).Sum(q => matrix[p * n + q] * svecX[q]);
                Assert.True(Math.Abs(expected[p] - actual) <= 1e-13 * Math.Max(1, Math.Abs(expected[p])),
                    $"k = {k}, row {p}: expected {expected[p]:R}, got {actual:R}");
            }
        }
    }

    /// <summary>svec: the lower triangle column by column, off-diagonal entries times √2 (<see cref="PsdCone"/>).</summary>
    private static double[] Svec(double[] x, int k)
    {
        var v = new double[k * (k + 1) / 2];
        for (int j = 0, p = 0; j < k; j++)
            for (int i = j; i < k; i++, p++) v[p] = i == j ? x[i * k + j] : Math.Sqrt(2) * x[i * k + j];
        return v;
    }
}
