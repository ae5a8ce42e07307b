using DiffOpt.Cones;
using DiffOpt.LinearAlgebra;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="SecondOrderEigenbasis"/>: the closed-form eigendecomposition of a second-order cone's block of D, against
/// the definition (QΛQᵀ = M with Q orthogonal), the eigenvalues 0, 1 and ½(1 + t/‖u‖) of CONES.md, and Jacobi sweeps.
/// </summary>
public class SecondOrderEigenbasisTests
{
    [Theory]
    [InlineData(2, 0.3, 11)]
    [InlineData(3, -0.6, 12)]
    [InlineData(6, 0.9, 13)]
    [InlineData(6, -0.95, 14)]
    [InlineData(9, 0.0, 15)]
    public void TheClosedForm_DiagonalisesDΠ_WithTheEigenvaluesOfCones(int r, double ratio, int seed)
    {
        // v = (t, u) off the cone and its polar (|t| < ‖u‖): D from the cone's own projection derivative.
        var random = new Random(seed);
        var u = Enumerable.Range(0, r - 1).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        if (seed % 2 == 0) u[0] = -Math.Abs(u[0]);   // both signs of ŵ₁ (the Householder vector's sign choice)
        double norm = Math.Sqrt(u.Sum(x => x * x));
        var v = tensor(new[] { ratio * norm }.Concat(u).ToArray(), dtype: ScalarType.Float64).view(1, r);
        var block = new CompositeCone([new SecondOrderCone(r)]).ProjectDerivative(v).Dense().data<double>().ToArray();

        var values = new double[r];
        var vectors = new double[r * r];
        Assert.True(SecondOrderEigenbasis.TryDecompose(block, r, values, vectors));

        EigenbasisChecks.AssertOrthonormalAndReconstructs(block, values, vectors, r, 1e-14);
        var expected = new[] { 0.0, 1.0 }.Concat(Enumerable.Repeat(0.5 * (1 + ratio), r - 2)).Order().ToArray();
        var sorted = values.Order().ToArray();
        for (int i = 0; i < r; i++) Assert.Equal(expected[i], sorted[i], 1e-14);

        var jacobi = new double[r];
        Assert.True(SmallDense.SymmetricEigen(block.ToArray(), r, jacobi, new double[r * r]));
        var jacobiSorted = jacobi.Order().ToArray();
        for (int i = 0; i < r; i++) Assert.Equal(jacobiSorted[i], sorted[i], 1e-14);
    }

    [Fact]
    public void AnyBlockOfTheForm_IsDiagonalised()
    {
        // General coefficients [a, bŵᵀ; bŵ, cI + eŵŵᵀ] (b < 0 too: ŵ is then read with the opposite sign).
        const int r = 5;
        double a = 0.7, b = -0.4, c = 0.2, e = 0.35;
        var w = new[] { 0.0, 0.6, -0.48, 0.64 };
        var block = new double[r * r];
        block[0] = a;
        for (int p = 0; p < r - 1; p++)
        {
            block[p + 1] = block[(p + 1) * r] = b * w[p];
            for (int q = 0; q < r - 1; q++) block[(p + 1) * r + q + 1] = (p == q ? c : 0) + e * w[p] * w[q];
        }
        var values = new double[r];
        var vectors = new double[r * r];
        Assert.True(SecondOrderEigenbasis.TryDecompose(block, r, values, vectors));
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double product = 0;
                for (int k = 0; k < r; k++) product += vectors[i * r + k] * values[k] * vectors[j * r + k];
                Assert.Equal(block[i * r + j], product, 1e-14);
            }
        // The 2 × 2 [a, b; b, c + e]'s eigenvalues and c (r − 2 times).
        double mean = (a + c + e) / 2, radius = Math.Sqrt(Math.Pow((a - c - e) / 2, 2) + b * b);
        var expected = new[] { mean - radius, mean + radius, c, c, c }.Order().ToArray();
        var sorted = values.Order().ToArray();
        for (int i = 0; i < r; i++) Assert.Equal(expected[i], sorted[i], 1e-14);
    }

    [Fact]
    public void AZeroFirstColumn_LeavesTheBlockToJacobi()
    {
        // b = 0: ŵ cannot be read from the block, so nothing is decomposed (the caller takes Jacobi sweeps).
        var block = new double[] { 1, 0, 0, 0, 0.5, 0.1, 0, 0.1, 0.5 };
        Assert.False(SecondOrderEigenbasis.TryDecompose(block, 3, new double[3], new double[9]));
        Assert.False(SecondOrderEigenbasis.TryDecompose(new[] { double.NaN, 1, 1, 0 }, 2, new double[2], new double[4]));
    }
}
