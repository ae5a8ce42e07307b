using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The exponential cone K = cl{(x, y, z) : y e^{x/y} ≤ z, y &gt; 0}: projection (root finding), its derivative in the
/// four regions, membership of K and K*, and the bisected step.
/// </summary>
public class ExponentialConeTests(ITestOutputHelper output)
{
    private const int Count = 4;
    private static readonly ICone Cone = ConeMath.For(new ExponentialCone(Count));
    private static readonly ICone Single = ConeMath.For(new ExponentialCone(1));

    /// <summary>
    /// How far each triple is outside K (0 inside), written independently of the code under test: for y, z &gt; 0 the
    /// smaller of the moves that enter K along its recession directions (0, 0, 1) (raise z to y e^{x/y}) and
    /// (−1, 0, 0) (lower x to y log(z/y)), an upper bound on the distance to K. Either alone is ill-conditioned in
    /// part of the cone (e^{x/y} near the face y = 0, log(z/y) when z is tiny).
    /// </summary>
    private static double PrimalViolation(double[] p) => Triples(p).Max(t =>
        t.Y > 0 && t.Z > 0
            ? Math.Min(Math.Max(0, t.Y * Math.Exp(t.X / t.Y) - t.Z), Math.Max(0, t.X - t.Y * Math.Log(t.Z / t.Y)))
            : Math.Max(Math.Max(-t.Y, 0), Math.Max(Math.Max(t.X, 0), Math.Max(-t.Z, 0))));

    /// <summary>
    /// How far each triple is outside K* = cl{u &lt; 0, −u e^{v/u} ≤ e·w}: for u &lt; 0, w &gt; 0 the smaller of the
    /// moves along (0, 0, 1) (raise w to −u e^{v/u}/e) and (0, 1, 0) (raise v to u(1 + log(w/(−u)))).
    /// </summary>
    private static double DualViolation(double[] d) => Triples(d).Max(t =>
        t.X < 0 && t.Z > 0
            ? Math.Min(Math.Max(0, -t.X * Math.Exp(t.Y / t.X) / Math.E - t.Z), Math.Max(0, t.X * (1 + Math.Log(t.Z / -t.X)) - t.Y))
            : Math.Max(Math.Max(t.X, 0), Math.Max(Math.Max(-t.Y, 0), Math.Max(-t.Z, 0))));

    private static IEnumerable<(double X, double Y, double Z)> Triples(double[] v) =>
        Enumerable.Range(0, v.Length / 3).Select(i => (v[3 * i], v[3 * i + 1], v[3 * i + 2]));

    /// <summary>p(ρ) = (ρ, 1, e^ρ) spans the curved boundary of K; d(ρ) = (−e^ρ, (ρ − 1)e^ρ, 1) the one of K*, p ⟂ d.</summary>
    private static double[] P(double rho) => [rho, 1, Math.Exp(rho)];

    private static double[] D(double rho) => [-Math.Exp(rho), (rho - 1) * Math.Exp(rho), 1];

    /// <summary>Random (ρ, α, β) with ρ ∈ [−6, 6] and α, β ∈ [e⁻³, e³]: v = αp(ρ) − βd(ρ) has projection αp(ρ).</summary>
    private static List<(double Rho, double Alpha, double Beta)> Planted(ProblemGenerator random, int count) =>
        Enumerable.Range(0, count).Select(_ => (random.Uniform(-6, 6), Math.Exp(random.Uniform(-3, 3)), Math.Exp(random.Uniform(-3, 3)))).ToList();

    private enum Region { Inside, Polar, Face, Curved }

    /// <summary>A random triple strictly inside the given region (margins ≥ 10 %); for Curved, v = αp(ρ) − βd(ρ).</summary>
    private static double[] Point(ProblemGenerator random, Region region)
    {
        switch (region)
        {
            case Region.Inside:
                {
                    double y = random.Uniform(0.5, 2), x = random.Normal();
                    return [x, y, y * Math.Exp(x / y) * random.Uniform(1.1, 2)];
                }
            case Region.Polar:
                {
                    double u = -random.Uniform(0.5, 2), v = random.Normal();
                    return [-u, -v, u * Math.Exp(v / u) / Math.E * random.Uniform(1.1, 2)];
                }
            case Region.Face:
                return [-random.Uniform(0.2, 2), -random.Uniform(0.2, 2), (random.Uniform(0, 1) < 0.5 ? -1 : 1) * random.Uniform(0.2, 2)];
            default:
                {
                    double rho = random.Uniform(-2.5, 2.5), alpha = random.Uniform(0.2, 2), beta = random.Uniform(0.2, 2);
                    return P(rho).Zip(D(rho), (p, d) => alpha * p - beta * d).ToArray();
                }
        }
    }

    /// <summary>Items of <see cref="Count"/> triples: one item per region, then items mixing the regions.</summary>
    private static Tensor MixedBatch(int seed)
    {
        var random = new ProblemGenerator(seed);
        var regions = Enum.GetValues<Region>();
        var rows = regions.Select(r => Enumerable.Range(0, Count).SelectMany(_ => Point(random, r)).ToArray()).ToList();
        for (int i = 0; i < 3; i++)
            rows.Add(Enumerable.Range(0, Count).SelectMany(c => Point(random, regions[(c + i) % regions.Length])).ToArray());
        return ConeChecks.Batch(rows);
    }

    [Fact]
    public void Project_MatchesHandDerivedFixtures()
    {
        // (1, 2, 0) = p(0) − d(0) with p(0) = (0, 1, 1) ∈ K and d(0) = (−1, −1, 1) ∈ K*, ⟨p, d⟩ = 0.
        var v = ConeChecks.Batch([[1, 2, 0], [-1, -2, 3], [-1, -2, -3], [0, 1, 2], [1, 1, -1]]);
        var expected = new[] { 0, 1, 1, -1, 0, 3, -1, 0, 0, 0, 1, 2, 0, 0, 0 };
        var actual = Single.Project(v).data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 14);
        var dual = Single.ProjectDual(ConeChecks.Batch([[-1, -2, 0]])).data<double>().ToArray();
        Assert.Equal(new[] { -1.0, -1, 1 }, dual.Select(x => Math.Round(x, 14)).ToArray());
    }

    [Fact]
    public void Project_RecoversPlantedDecomposition_OnTheCurvedBoundary()
    {
        var random = new ProblemGenerator(741);
        var planted = Planted(random, 40);
        var v = ConeChecks.Batch(planted.Select(t => P(t.Rho).Zip(D(t.Rho), (p, d) => t.Alpha * p - t.Beta * d).ToArray()).ToList());
        var expected = planted.Select(t => P(t.Rho).Select(p => t.Alpha * p).ToArray()).ToList();
        ConeChecks.AssertRowsMatch(v, Single.Project(v), expected, 1e-12, output, "vs planted projection α·p(ρ), ρ ∈ [−6, 6]");
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_InEveryRegionAndAtRandomPoints()
    {
        ConeChecks.AssertMoreau(Cone, MixedBatch(742), PrimalViolation, DualViolation, 1e-12, output);
        var random = new ProblemGenerator(743);
        var normal = ConeChecks.Batch(Enumerable.Range(0, 50).Select(_ => random.NormalVector(3 * Count).Map(x => 3 * x).ToArray()).ToList());
        ConeChecks.AssertMoreau(Cone, normal, PrimalViolation, DualViolation, 1e-12, output);
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_AtHardPoints()
    {
        // Near the face y = 0, far from the origin, tiny, and with large ratios |x/y|.
        var v = ConeChecks.Batch(
        [
            [1, 1e-10, 1], [-1e3, 1, 1e-3], [5, 1, 1], [0.1, 1e5, 1], [1e-8, 1e-9, -1e-8], [30, 2, -4], [-30, 0.5, 1e-4],
            [1e4, -1e4, 1e4], [3, -1, -2], [-2, 3, -0.5], [1e-3, -1e-3, 1e3],
        ]);
        ConeChecks.AssertMoreau(Single, v, PrimalViolation, DualViolation, 1e-10, output);
    }

    [Fact]
    public void Project_SatisfiesMoreauDecomposition_AtRandomPointsOfEveryScale()
    {
        // Half the triples standard normal times 3, half with each coordinate ±10^u, u uniform in [−4, 4]: ratios
        // |x/y| up to 1e8, near-face and near-apex projections.
        var random = new ProblemGenerator(748);
        double Coordinate(int i) => i % 2 == 0 ? 3 * random.Normal() : (random.Uniform(0, 1) < 0.5 ? -1 : 1) * Math.Pow(10, random.Uniform(-4, 4));
        var v = ConeChecks.Batch(Enumerable.Range(0, 20000).Select(i => new[] { Coordinate(i), Coordinate(i), Coordinate(i) }).ToList());
        ConeChecks.AssertMoreau(Single, v, PrimalViolation, DualViolation, 1e-12, output);
    }

    [Fact]
    public void ProjectDerivative_MatchesFiniteDifferences_InEveryRegion()
    {
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Cone, MixedBatch(744), 1e-6, output);
    }

    [Fact]
    public void ProjectDerivative_MatchesFiniteDifferences_AtPlantedPointsWithLargeRatios()
    {
        // ρ up to ±6 and α, β over 2.6 orders of magnitude: projections near the face and near the apex.
        var random = new ProblemGenerator(749);
        var v = ConeChecks.Batch(Planted(random, 12).Select(t => P(t.Rho).Zip(D(t.Rho), (p, d) => t.Alpha * p - t.Beta * d).ToArray()).ToList());
        ConeChecks.AssertDerivativesMatchFiniteDifferences(Single, v, 1e-6, output);
        ConeChecks.AssertDerivativesStructure(Single, v, 1e-13, output);
    }

    [Fact]
    public void ProjectDerivative_IsIdentityZeroAndDiagonalInTheSpecialRegions()
    {
        var v = ConeChecks.Batch([[0, 1, 2], [1, 1, -1], [-1, -2, 3], [-1, -2, -3]]);
        var dense = Single.ProjectDerivative(v).Dense();
        double[][] expected = [[1, 1, 1], [0, 0, 0], [1, 0, 1], [1, 0, 0]];
        for (int i = 0; i < expected.Length; i++)
        {
            var item = dense[i];
            Assert.Equal(expected[i], item.diagonal().data<double>().ToArray());
            Assert.Equal(0, (item - diag(item.diagonal())).abs().max().item<double>());
        }
    }

    [Fact]
    public void ProjectDerivative_IsSymmetricWithEigenvaluesInUnitInterval()
    {
        ConeChecks.AssertDerivativesStructure(Cone, MixedBatch(745), 1e-13, output);
    }

    [Fact]
    public void Contains_AcceptsTheConeAndItsFace_AndContainsDualUsesTheDualCone()
    {
        var s = ConeChecks.Batch([[0, 1, 1], [-1, 0, 2], [0.1, 1, 1], [-1, -1e-9, 2], [-1, 1, Math.Exp(-1) * (1 - 1e-9)]]);
        Assert.Equal(new[] { true, true, false, false, false }, Single.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false, true, true }, Single.Contains(s, 1e-8).data<bool>().ToArray());
        var y = ConeChecks.Batch([[-1, -1, 1], [0, 1, 2], [-1, -1, 0.9], [1, 1, 1]]);
        Assert.Equal(new[] { true, true, false, false }, Single.ContainsDual(y, 0).data<bool>().ToArray());
    }

    [Fact]
    public void StepToBoundary_LandsOnTheBoundary_AndIsUnboundedAlongRecessionDirections()
    {
        var random = new ProblemGenerator(746);
        var rows = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, Count).SelectMany(_ => Point(random, Region.Inside)).ToArray()).ToList();
        var directions = Enumerable.Range(0, 6).Select(_ => random.NormalVector(3 * Count).ToArray()).ToList();
        directions[1] = Enumerable.Range(0, Count).SelectMany(_ => Point(random, Region.Inside)).ToArray();   // in K: unbounded
        directions[2] = rows[2].Select(x => -x).ToArray();                                                      // back to 0: α = 1
        var alpha = ConeChecks.AssertStep(Cone, ConeChecks.Batch(rows), ConeChecks.Batch(directions), new HashSet<int> { 1 }, output);
        Assert.Equal(1.0, alpha[2], 12);
        // From (−1, 1, 1) along +x the boundary x = y log(z/y) = 0 is reached at α = 1.
        Assert.Equal(1.0, Single.StepToBoundary(ConeChecks.Batch([[-1, 1, 1]]), ConeChecks.Batch([[1, 0, 0]])).item<double>(), 14);
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ConeChecks.AssertFloat32MatchesFloat64(Cone, MixedBatch(747), 1e-4, output);
        var s = ConeChecks.Batch([[-1, 1, 1]]).to(ScalarType.Float32);
        var step = Single.StepToBoundary(s, ConeChecks.Batch([[1, 0, 0]]).to(ScalarType.Float32));
        Assert.Equal(ScalarType.Float32, step.dtype);
        Assert.Equal(1.0, step.item<float>(), 5);
    }
}
