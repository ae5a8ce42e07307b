using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The nonnegative orthant: max(v, 0), its diagonal derivative, membership and the ratio test.</summary>
public class NonnegativeConeTests(ITestOutputHelper output)
{
    private static readonly ICone Cone = ConeMath.For(new NonnegativeCone(5));

    /// <summary>All positive, all negative, and mixed items; every |vᵢ| ≥ 0.1 (away from the kink at 0).</summary>
    private static Tensor MixedBatch(int seed)
    {
        var random = new ProblemGenerator(seed);
        double Away() => (random.Uniform(0, 1) < 0.5 ? -1 : 1) * random.Uniform(0.1, 2);
        var rows = new List<double[]>
        {
            Enumerable.Range(0, 5).Select(_ => random.Uniform(0.1, 2)).ToArray(),
            Enumerable.Range(0, 5).Select(_ => -random.Uniform(0.1, 2)).ToArray(),
        };
        for (int i = 0; i < 3; i++) rows.Add(Enumerable.Range(0, 5).Select(_ => Away()).ToArray());
        return ConeChecks.Batch(rows);
    }

    [Fact]
    public void Project_MatchesHandDerivedFixture()
    {
        var v = ConeChecks.Batch([[1.5, -2, 0, 3, -0.25]]);
        Assert.Equal(new[] { 1.5, 0, 0, 3, 0 }, Cone.Project(v).data<double>().ToArray());
        Assert.Equal(new[] { 1.5, 0, 0, 3, 0 }, Cone.ProjectDual(v).data<double>().ToArray());
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_OnMixedBatch()
    {
        static double Violation(double[] p) => Math.Max(0, -p.Min());
        ConeChecks.AssertMoreau(Cone, MixedBatch(711), Violation, Violation, 1e-15, output);
    }

    [Fact]
    public void ProjectDerivative_MatchesFiniteDifferences_OnMixedBatch()
    {
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Cone, MixedBatch(712), 1e-9, output);
    }

    [Fact]
    public void ProjectDerivative_IsSymmetricWithEigenvaluesInUnitInterval_AndHalfAtZero()
    {
        ConeChecks.AssertDerivativesStructure(Cone, MixedBatch(713), 1e-15, output);
        var atZero = Cone.ProjectDerivative(ConeChecks.Batch([[0, 1, -1, 0, 2]])).Dense();
        Assert.Equal(new[] { 0.5, 1, 0, 0.5, 1 }, atZero.diagonal(0, 1, 2).data<double>().ToArray());
    }

    [Fact]
    public void Contains_UsesAbsoluteSlack()
    {
        var s = ConeChecks.Batch([[0, 1, 2, 3, 4], [-1e-9, 1, 2, 3, 4], [-1, 1, 2, 3, 4]]);
        Assert.Equal(new[] { true, false, false }, Cone.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, Cone.Contains(s, 1e-8).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, Cone.ContainsDual(s, 1e-8).data<bool>().ToArray());
    }

    [Fact]
    public void StepToBoundary_IsRatioTest_AndUnboundedForNonnegativeDirections()
    {
        var random = new ProblemGenerator(714);
        var s = ConeChecks.Batch(Enumerable.Range(0, 4).Select(_ => random.UniformVector(5, 0.5, 2).ToArray()).ToList());
        var ds = ConeChecks.Batch(
        [
            random.NormalVector(5).ToArray(), random.UniformVector(5, 0, 1).ToArray(), random.NormalVector(5).ToArray(),
            random.NormalVector(5).ToArray(),
        ]);
        ds[3] = -s[3];
        var alpha = ConeChecks.AssertStep(Cone, s, ds, new HashSet<int> { 1 }, output);
        Assert.Equal(1.0, alpha[3], 15);
        var hand = Cone.StepToBoundary(ConeChecks.Batch([[1, 2, 3, 4, 5]]), ConeChecks.Batch([[1, -1, -1, 0, -10]]));
        Assert.Equal(0.5, hand.item<double>());
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Cone, MixedBatch(715), 1e-6, output);
    }
}
