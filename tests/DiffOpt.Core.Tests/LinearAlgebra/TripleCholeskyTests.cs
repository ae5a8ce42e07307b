using DiffOpt.LinearAlgebra;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// <see cref="TripleCholesky"/>: the same bits and the same verdict as <see cref="SmallDense.Cholesky"/> followed by
/// <see cref="SmallDense.InvertLower"/>, on positive definite matrices of every conditioning, on ones that fail at each
/// of the three pivots, with signed zeros and with non-finite entries; and L⁻¹A L⁻ᵀ = I on a well-conditioned one.
/// </summary>
public class TripleCholeskyTests
{
    [Fact]
    public void InverseFactor_MatchesCholeskyThenInvertLower_Bitwise()
    {
        var random = new Random(17);
        var cases = new List<double[]>();
        for (int k = 0; k < 4000; k++)
        {
            // BBᵀ + shift·I with B's columns scaled over many orders: definite, nearly singular, or indefinite (shift < 0).
            var b = new double[9];
            for (int i = 0; i < 9; i++) b[i] = (2 * random.NextDouble() - 1) * Math.Pow(10, random.Next(-8, 9));
            double shift = random.Next(4) switch { 0 => 0, 1 => 1e-12, 2 => -1e-3, _ => random.NextDouble() };
            var a = new double[9];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    double sum = i == j ? shift : 0;
                    for (int l = 0; l < 3; l++) sum += b[3 * i + l] * b[3 * j + l];
                    a[3 * i + j] = sum;
                }
            cases.Add(a);
        }
        cases.Add([-0.0, 0, 0, -0.0, 1, 0, -0.0, -0.0, 1]);        // fails at the first pivot
        cases.Add([1, 0, 0, -0.0, 0, 0, -0.0, 1, 1]);              // fails at the second
        cases.Add([4, 2, 2, 2, 1, 1, 2, 1, 1]);                    // singular: fails at the third (or rounds past it)
        cases.Add([1, 0, 0, -0.0, 1, 0, -0.0, -0.0, 1]);           // signed zeros below the diagonal
        cases.Add([1, 0, 0, double.NaN, 1, 0, 0, 0, 1]);
        cases.Add([double.PositiveInfinity, 0, 0, 0, 1, 0, 0, 0, 1]);
        cases.Add([1, 0, 0, 0, 1, 0, 0, double.PositiveInfinity, 1]);
        int definite = 0;
        foreach (var a in cases)
        {
            var expected = (double[])a.Clone();
            bool reference = SmallDense.Cholesky(expected, 3);
            if (reference) SmallDense.InvertLower(expected, 3);
            var actual = (double[])a.Clone();
            Assert.Equal(reference, TripleCholesky.InverseFactor(actual));
            if (!reference) continue;
            definite++;
            for (int i = 0; i < 9; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                    $"entry {i} of [{string.Join(", ", a)}]: {expected[i]:R} vs {actual[i]:R}");
        }
        Assert.True(definite > 1000, $"only {definite} definite cases");
        Assert.True(definite < cases.Count - 500, $"only {cases.Count - definite} failing cases");
    }

    [Fact]
    public void InverseFactor_WhitensTheMatrix()
    {
        double[] a = [4, 1, 0.5, 1, 3, -0.25, 0.5, -0.25, 2];
        var f = (double[])a.Clone();
        Assert.True(TripleCholesky.InverseFactor(f));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double sum = 0;
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 3; l++) sum += f[3 * i + k] * a[3 * k + l] * f[3 * j + l];
                Assert.True(Math.Abs(sum - (i == j ? 1 : 0)) <= 1e-14, $"[{i},{j}] = {sum:R}");
            }
    }
}
