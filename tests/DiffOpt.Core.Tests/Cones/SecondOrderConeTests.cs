using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The second-order cone {(t, u) : ‖u‖ ≤ t}: projection, derivative, membership and step.</summary>
public class SecondOrderConeTests(ITestOutputHelper output)
{
    private const int N = 4;
    private static readonly ICone Cone = ConeMath.For(new SecondOrderCone(N));

    /// <summary>‖u‖ − t clipped at 0: how far (t, u) is outside the cone, written independently of the code under test.</summary>
    private static double Violation(double[] p) => Math.Max(0, ConeChecks.Norm(p.Skip(1)) - p[0]);

    /// <summary>The projection by its three cases (Parikh and Boyd, §6.3.2), in plain doubles.</summary>
    private static double[] ReferenceProjection(double[] v)
    {
        double t = v[0], norm = ConeChecks.Norm(v.Skip(1));
        if (norm <= t) return v;
        if (norm <= -t) return new double[v.Length];
        double factor = (norm + t) / (2 * norm);
        return [factor * norm, .. v.Skip(1).Select(x => factor * x)];
    }

    /// <summary>Two items inside, two in the polar cone, three in between, each at least 0.2·‖u‖ from a kink.</summary>
    private static Tensor MixedBatch(int seed)
    {
        var random = new ProblemGenerator(seed);
        double[] Point(double tOverNorm)
        {
            var u = random.NormalVector(N - 1).ToArray();
            return [tOverNorm * ConeChecks.Norm(u), .. u];
        }
        return ConeChecks.Batch(
        [
            Point(random.Uniform(1.2, 3)), Point(random.Uniform(1.2, 3)), Point(-random.Uniform(1.2, 3)), Point(-random.Uniform(1.2, 3)),
            Point(random.Uniform(-0.8, 0.8)), Point(random.Uniform(-0.8, 0.8)), Point(random.Uniform(-0.8, 0.8)),
        ]);
    }

    [Fact]
    public void Project_MatchesHandDerivedFixtures()
    {
        var cone = ConeMath.For(new SecondOrderCone(3));
        var v = ConeChecks.Batch([[0, 3, 4], [1, 3, 4], [5, 3, 4], [-5, 3, 4], [-6, 3, 4]]);
        var expected = new[] { 2.5, 1.5, 2, 3, 1.8, 2.4, 5, 3, 4, 0, 0, 0, 0, 0, 0 };
        var actual = cone.Project(v).data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 14);
    }

    [Fact]
    public void Project_OfDimensionOne_IsTheHalfLine()
    {
        var cone = ConeMath.For(new SecondOrderCone(1));
        Assert.Equal(new[] { 2.0, 0 }, cone.Project(ConeChecks.Batch([[2], [-3]])).data<double>().ToArray());
        Assert.Equal(new[] { 1.0, 0 }, cone.ProjectDerivative(ConeChecks.Batch([[2], [-3]])).Dense().reshape(2).data<double>().ToArray());
    }

    [Fact]
    public void Project_MatchesIndependentThreeCaseFormula_AndMoreauDecomposition()
    {
        var v = MixedBatch(721);
        var expected = ConeChecks.Rows(v).Select(ReferenceProjection).ToList();
        ConeChecks.AssertRowsMatch(v, Cone.Project(v), expected, 1e-15, output, "vs three-case formula");
        ConeChecks.AssertMoreau(Cone, v, Violation, Violation, 1e-15, output);
    }

    [Fact]
    public void ProjectDerivative_MatchesFiniteDifferences_InsidePolarAndMiddle()
    {
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Cone, MixedBatch(722), 1e-8, output);
    }

    [Fact]
    public void ProjectDerivative_IsSymmetricWithEigenvaluesInUnitInterval()
    {
        ConeChecks.AssertDerivativesStructure(Cone, MixedBatch(723), 1e-14, output);
    }

    [Fact]
    public void Contains_UsesAbsoluteSlackOnNormMinusT()
    {
        var cone = ConeMath.For(new SecondOrderCone(3));
        var s = ConeChecks.Batch([[5, 3, 4], [5 - 1e-9, 3, 4], [4, 3, 4]]);
        Assert.Equal(new[] { true, false, false }, cone.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, cone.Contains(s, 1e-8).data<bool>().ToArray());
    }

    [Fact]
    public void StepToBoundary_LandsOnTheBoundary_AndIsUnboundedAlongRecessionDirections()
    {
        var random = new ProblemGenerator(724);
        var rows = new List<double[]>();
        var directions = new List<double[]>();
        for (int i = 0; i < 6; i++)
        {
            var u = random.NormalVector(N - 1).ToArray();
            rows.Add([ConeChecks.Norm(u) + random.Uniform(0.1, 1), .. u]);
            directions.Add(random.NormalVector(N).ToArray());
        }
        var du = random.NormalVector(N - 1).ToArray();
        directions[1] = [ConeChecks.Norm(du) + 0.5, .. du];        // inside the cone: a recession direction
        directions[2] = [ConeChecks.Norm(du) + 1e-3, .. du];       // just inside: still one
        directions[3] = rows[3].Select(x => -x).ToArray();         // back to the apex: α = 1
        directions[4] = [-1, 0, 0, 0];                             // a = −1 < 0: one positive root
        var alpha = ConeChecks.AssertStep(Cone, ConeChecks.Batch(rows), ConeChecks.Batch(directions), new HashSet<int> { 1, 2 }, output);
        Assert.Equal(1.0, alpha[3], 6); // a double root of q (the apex): only √ε accurate

        var cone = ConeMath.For(new SecondOrderCone(3));
        var hand = cone.StepToBoundary(ConeChecks.Batch([[2, 0, 0], [2, 1, 0]]), ConeChecks.Batch([[0, 1, 0], [-1, 0, 0]]));
        Assert.Equal(new[] { 2.0, 1.0 }, hand.data<double>().ToArray());
    }

    [Fact]
    public void StepToBoundary_IsAtLeast1e12_AlongADirectionOnTheBoundary()
    {
        // ds = (‖du‖, du) lies on the boundary only up to rounding, so the exact step of the rounded data may be
        // finite; it must be astronomically large.
        var random = new ProblemGenerator(726);
        var u = random.NormalVector(N - 1).ToArray();
        var du = random.NormalVector(N - 1).ToArray();
        var alpha = Cone.StepToBoundary(ConeChecks.Batch([[ConeChecks.Norm(u) + 0.5, .. u]]), ConeChecks.Batch([[ConeChecks.Norm(du), .. du]]));
        output.WriteLine($"step {alpha.item<double>():G6}");
        Assert.True(alpha.item<double>() >= 1e12);
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Cone, MixedBatch(725), 1e-5, output);
    }
}
