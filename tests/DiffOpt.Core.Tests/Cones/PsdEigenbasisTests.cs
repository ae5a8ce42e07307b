using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="PsdEigenbasis"/>: the closed-form eigenbasis of a PSD cone's block of D = DΠ(v), against the dense matrix
/// <see cref="PsdOperator.Dense"/> assembles (QΛQᵀ = D with QᵀQ = I) and the weights' range [0, 1].
/// </summary>
public class PsdEigenbasisTests
{
    /// <summary>svec of V diag(λ) Vᵀ with a random orthogonal V.</summary>
    private static double[] WithEigenvalues(ProblemGenerator random, params double[] lambda)
    {
        var q = random.NormalMatrix(lambda.Length, lambda.Length).QR().Q;
        return SvecReference.ToSvec(q * Matrix<double>.Build.DiagonalOfDiagonalArray(lambda) * q.Transpose());
    }

    [Theory]
    [InlineData(new[] { 0.3, 0.9, 1.5, 2.0 }, 21)]            // D = I
    [InlineData(new[] { -0.4, -1.0, -1.7, -2.5 }, 22)]        // D = 0
    [InlineData(new[] { -1.2, -0.3, 0.5, 1.4 }, 23)]          // indefinite
    [InlineData(new[] { -2.0, 0.0, 0.0, 1.1, 1.9 }, 24)]      // a double zero eigenvalue (W = 1 on that pair)
    [InlineData(new[] { -1.8, 0.4, 0.4, -0.6 }, 25)]          // repeated eigenvalues: V is not unique
    [InlineData(new[] { 0.7, -0.2 }, 26)]
    public void TheClosedForm_DiagonalisesDΠ_WithAnOrthonormalBasis(double[] lambda, int seed)
    {
        int k = lambda.Length, r = k * (k + 1) / 2;
        var v = ConeChecks.Batch([WithEigenvalues(new ProblemGenerator(seed), lambda)]);
        var d = Assert.IsType<PsdOperator>(ConeMath.For(new PsdCone(k)).ProjectDerivative(v));
        var dense = d.Dense().data<double>().ToArray();

        var values = new double[r];
        var vectors = new double[r * r];
        Assert.True(PsdEigenbasis.TryDecompose(d.Eigenvectors.data<double>().ToArray(), d.Weights.data<double>().ToArray(), k, values, vectors));

        Assert.All(values, value => Assert.InRange(value, 0, 1));
        EigenbasisChecks.AssertOrthonormalAndReconstructs(dense, values, vectors, r, 1e-12);
        // W_ab by the sign pattern of λ_a, λ_b: 1 where both are > 0, 0 where both are < 0 (CONES.md); a computed zero
        // eigenvalue has either sign.
        if (lambda.Contains(0)) return;
        int positive = lambda.Count(l => l > 0), negative = k - positive;
        Assert.Equal(positive * (positive + 1) / 2, values.Count(x => x == 1));
        Assert.Equal(negative * (negative + 1) / 2, values.Count(x => x == 0));
    }

    [Fact]
    public void NonFiniteEigenvectorsOrWeights_AreRefused()
    {
        var identity = new double[] { 1, 0, 0, 1 };
        Assert.False(PsdEigenbasis.TryDecompose([double.NaN, 0, 0, 1], [1, 1, 1, 1], 2, new double[3], new double[9]));
        Assert.False(PsdEigenbasis.TryDecompose(identity, [1, double.PositiveInfinity, 1, 1], 2, new double[3], new double[9]));
    }
}
