using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The PSD cone in svec form: eigenvalue clipping, its derivative, membership and step.</summary>
public class PsdConeTests(ITestOutputHelper output)
{
    private const int K = 4;
    private static readonly ICone Cone = ConeMath.For(new PsdCone(K));

    private static double Violation(double[] p) => Math.Max(0, -SvecReference.ToMatrix(p, K).Evd().EigenValues.Real().Min());

    /// <summary>Q diag(λ) Qᵀ with a random orthogonal Q.</summary>
    private static double[] WithEigenvalues(ProblemGenerator random, params double[] lambda)
    {
        var q = random.NormalMatrix(lambda.Length, lambda.Length).QR().Q;
        return SvecReference.ToSvec(q * Matrix<double>.Build.DiagonalOfDiagonalArray(lambda) * q.Transpose());
    }

    /// <summary>Positive definite, negative definite and indefinite items; every |λ| ≥ 0.2, gaps ≥ 0.2.</summary>
    private static Tensor MixedBatch(int seed)
    {
        var random = new ProblemGenerator(seed);
        return ConeChecks.Batch(
        [
            WithEigenvalues(random, 0.3, 0.9, 1.5, 2.0), WithEigenvalues(random, -0.4, -1.0, -1.7, -2.5),
            WithEigenvalues(random, -1.2, -0.3, 0.5, 1.4), WithEigenvalues(random, -2.0, 0.7, 1.1, 1.9),
            WithEigenvalues(random, -1.8, -1.1, -0.6, 0.4),
        ]);
    }

    [Fact]
    public void Project_MatchesHandDerivedFixtures()
    {
        var cone = ConeMath.For(new PsdCone(2));
        var v = ConeChecks.Batch([[1, 0, -1], [0, Math.Sqrt(2), 0], [2, 1, 3]]);
        var expected = new[] { 1, 0, 0, 0.5, Math.Sqrt(2) / 2, 0.5, 2, 1, 3 };
        var actual = cone.Project(v).data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 14);
    }

    [Fact]
    public void Project_MatchesIndependentEigenReconstruction_AndMoreauDecomposition()
    {
        var v = MixedBatch(731);
        var expected = ConeChecks.Rows(v).Select(row =>
        {
            var evd = SvecReference.ToMatrix(row, K).Evd(Symmetricity.Symmetric);
            var clipped = evd.EigenValues.Real().Map(l => Math.Max(l, 0));
            return SvecReference.ToSvec(evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(clipped) * evd.EigenVectors.Transpose());
        }).ToList();
        ConeChecks.AssertRowsMatch(v, Cone.Project(v), expected, 1e-13, output, "vs MathNet eigen reconstruction");
        ConeChecks.AssertMoreau(Cone, v, Violation, Violation, 1e-13, output);
    }

    [Fact]
    public void ProjectDerivative_MatchesFiniteDifferences_ForDefiniteAndIndefiniteItems()
    {
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Cone, MixedBatch(732), 1e-7, output);
    }

    [Fact]
    public void ProjectDerivative_DenseFromEigenbasisEqualsApply_SymmetricWithEigenvaluesInUnitInterval()
    {
        ConeChecks.AssertDerivativesStructure(Cone, MixedBatch(733), 1e-13, output);
    }

    [Fact]
    public void Contains_ComparesSmallestEigenvalueWithTolerance()
    {
        var cone = ConeMath.For(new PsdCone(2));
        var s = ConeChecks.Batch([[1, 0, 0], [1, 0, -1e-9], [1, 0, -1]]);
        Assert.Equal(new[] { true, false, false }, cone.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, cone.Contains(s, 1e-8).data<bool>().ToArray());
    }

    [Fact]
    public void StepToBoundary_LandsOnTheBoundary_AndIsUnboundedAlongPsdDirections()
    {
        var random = new ProblemGenerator(734);
        var rows = Enumerable.Range(0, 5).Select(_ => WithEigenvalues(random, 0.3, 0.8, 1.2, 2.0)).ToList();
        var directions = Enumerable.Range(0, 5).Select(_ => SvecReference.ToSvec(random.NormalMatrix(K, K) + random.NormalMatrix(K, K).Transpose())).ToList();
        directions[1] = WithEigenvalues(random, 0.1, 0.5, 1, 2);   // positive definite: a recession direction
        directions[2] = rows[2].Select(x => -x).ToArray();        // back to 0: α = 1
        var alpha = ConeChecks.AssertStep(Cone, ConeChecks.Batch(rows), ConeChecks.Batch(directions), new HashSet<int> { 1 }, output);
        Assert.Equal(1.0, alpha[2], 13);

        var cone = ConeMath.For(new PsdCone(2));
        var hand = cone.StepToBoundary(ConeChecks.Batch([[1, 0, 1]]), ConeChecks.Batch([[-2, 0, 1]]));
        Assert.Equal(0.5, hand.item<double>(), 15);
    }

    [Fact]
    public void StepToBoundary_IsAtLeast1e12_AlongASingularPsdDirection()
    {
        // λ_min(dS) = 0 only up to rounding, so the exact step of the rounded data may be finite; it must be huge.
        var random = new ProblemGenerator(736);
        var alpha = Cone.StepToBoundary(ConeChecks.Batch([WithEigenvalues(random, 0.3, 0.8, 1.2, 2.0)]),
            ConeChecks.Batch([WithEigenvalues(random, 0, 0.5, 1, 2)]));
        output.WriteLine($"step {alpha.item<double>():G6}");
        Assert.True(alpha.item<double>() >= 1e12);
    }

    [Fact]
    public void StepToBoundary_IsZero_WhenStartIsNotPositiveDefinite()
    {
        var cone = ConeMath.For(new PsdCone(2));
        Assert.Equal(0.0, cone.StepToBoundary(ConeChecks.Batch([[1, 0, -1]]), ConeChecks.Batch([[1, 0, 1]])).item<double>());
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Cone, MixedBatch(735), 1e-4, output);
    }
}
