using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The zero cone {0}: projection 0, dual projection identity, derivatives 0 and I, unbounded step.</summary>
public class ZeroConeTests(ITestOutputHelper output)
{
    private static readonly ICone Cone = ConeMath.For(new ZeroCone(4));

    private static Tensor RandomBatch(int seed)
    {
        var random = new ProblemGenerator(seed);
        return ConeChecks.Batch(Enumerable.Range(0, 3).Select(_ => random.NormalVector(4).ToArray()).ToList());
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_WithDualEqualToWholeSpace()
    {
        var v = RandomBatch(701);
        double worst = ConeChecks.AssertMoreau(Cone, v, p => p.Max(Math.Abs), _ => 0, 1e-14, output);
        Assert.Equal(0, Cone.Project(v).abs().max().item<double>());
        Assert.Equal(0, (Cone.ProjectDual(v) - v).abs().max().item<double>());
        output.WriteLine($"worst {worst:E2}");
    }

    [Fact]
    public void ProjectDerivative_IsZeroAndDualDerivativeIsIdentity_MatchingFiniteDifferences()
    {
        var v = RandomBatch(702);
        var derivative = Cone.ProjectDerivative(v);
        var dual = Cone.ProjectDualDerivative(v);
        Assert.Equal(0, derivative.Dense().abs().max().item<double>());
        Assert.Equal(0, (dual.Dense() - eye(4, dtype: ScalarType.Float64)).abs().max().item<double>());
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Cone, v, 1e-9, output);
        ConeChecks.AssertDerivativesStructure(Cone, v, 1e-15, output);
    }

    [Fact]
    public void Contains_AcceptsOnlyPointsWithinToleranceOfZero_AndDualAcceptsEverything()
    {
        var s = ConeChecks.Batch([[0, 0, 0, 0], [1e-9, -1e-9, 0, 0], [0, 0, 1, 0]]);
        Assert.Equal(new[] { true, false, false }, Cone.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, Cone.Contains(s, 1e-8).data<bool>().ToArray());
        Assert.All(Cone.ContainsDual(RandomBatch(703), 0).data<bool>().ToArray(), Assert.True);
    }

    [Fact]
    public void StepToBoundary_IsUnbounded_BecauseZeroRowsNeverLimitTheStep()
    {
        var s = zeros(3, 4, dtype: ScalarType.Float64);
        var alpha = Cone.StepToBoundary(s, RandomBatch(704));
        Assert.All(alpha.data<double>().ToArray(), a => Assert.True(double.IsPositiveInfinity(a)));
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsEqualToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Cone, RandomBatch(705), 1e-6, output);
    }
}
