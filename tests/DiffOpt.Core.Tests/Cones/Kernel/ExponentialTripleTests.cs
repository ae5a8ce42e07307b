using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The exponential cone's arithmetic on one triple (<see cref="ExponentialTriple"/>) against its defining relations:
/// the conjugate point t = −∇f*(d) satisfies −∇f(t) = d, its closed-form ψ(t), log(t_z/t_y) and f*(d) = −3 − f(t)
/// match the formulas evaluated at t, and f*'s central differences are ∇f*; and the cone's cache of conjugate points
/// (<see cref="ExponentialConjugates"/>) gives the shift, centrality and scaling of recomputing, and only for the z it holds.
/// </summary>
public class ExponentialTripleTests(ITestOutputHelper output)
{
    /// <summary>d ∈ int K_exp* whose omega equation has right side t = 1 + margin, margin from 10^-decades to 10^decades.</summary>
    private static double[] DualPoint(ProblemGenerator random, double decades = 6)
    {
        double u = -Math.Exp(random.Uniform(-2, 2)), w = Math.Exp(random.Uniform(-2, 2));
        // v − u − u·log(w/−u) = −u·margin is the distance from the boundary; t − 1 = margin.
        double margin = Math.Pow(10, random.Uniform(-decades, decades));
        return [u, u + u * Math.Log(w / -u) - u * margin, w];
    }

    [Fact]
    public void Conjugate_IsThePointWhoseNegatedGradientIsD_WithItsClosedForms()
    {
        var random = new ProblemGenerator(53);
        double worstGradient = 0, worstForms = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var d = DualPoint(random);
            var t = new double[3];
            Assert.True(ExponentialTriple.Conjugate(d, t, out double psi, out double ratio, out double value));
            Assert.True(ExponentialTriple.InDomain(t), $"t = ({t[0]:R}, {t[1]:R}, {t[2]:R})");
            var g = new double[3];
            ExponentialTriple.Gradient(t, g);
            double scale = Math.Max(Math.Abs(d[0]), Math.Max(Math.Abs(d[1]), Math.Abs(d[2])));
            worstGradient = Math.Max(worstGradient, Enumerable.Range(0, 3).Max(i => Math.Abs(g[i] + d[i])) / scale);
            double psiAtT = ExponentialTriple.Psi(t[0], t[1], t[2]);
            double plainValue = -3 - (-Math.Log(psiAtT) - Math.Log(t[1]) - Math.Log(t[2]));
            worstForms = Math.Max(worstForms, Math.Max(Math.Abs(psi - psiAtT) / psi,
                Math.Max(Math.Abs(ratio - Math.Log(t[2] / t[1])) / Math.Max(1, Math.Abs(ratio)),
                    Math.Abs(value - plainValue) / Math.Max(1, Math.Abs(value)))));
        }
        output.WriteLine($"−∇f(t) vs d: {worstGradient:E2}; ψ, log(z/y), f* vs t's formulas: {worstForms:E2}");
        Assert.True(worstGradient <= 1e-8, $"−∇f(t) differs from d by {worstGradient:E2}");
        Assert.True(worstForms <= 1e-8, $"the closed forms differ from t's formulas by {worstForms:E2}");
    }

    [Fact]
    public void DualValue_HasTheDualGradientAsItsCentralDifferences()
    {
        var random = new ProblemGenerator(59);
        double worst = 0;
        for (int trial = 0; trial < 100; trial++)
        {
            // Margins of 1e-3 to 1e3: nearer the boundary a step small enough to stay inside leaves f*'s rounding
            // (about 1e-16·|f*|/h) above the tolerance.
            var d = DualPoint(random, decades: 3);
            // Keep the differences inside int K_exp*: the step is small against the distance from the boundary.
            double margin = d[1] - d[0] - d[0] * Math.Log(d[2] / -d[0]);
            double h = 1e-5 * Math.Min(1, margin);
            var g = new double[3];
            ExponentialTriple.DualGradient(d, g);
            for (int j = 0; j < 3; j++)
            {
                var (plus, minus) = ((double[])d.Clone(), (double[])d.Clone());
                plus[j] += h;
                minus[j] -= h;
                double difference = (ExponentialTriple.DualValue(plus) - ExponentialTriple.DualValue(minus)) / (2 * h);
                worst = Math.Max(worst, Math.Abs(difference - g[j]) / Math.Max(1, Math.Abs(g[j])));
            }
        }
        output.WriteLine($"∇f* vs central differences of f*: worst relative error {worst:E2}");
        Assert.True(worst <= 1e-5, $"∇f* differs from central differences of f* by {worst:E2}");
    }

    [Fact]
    public void Value_IsTheBarrierInside_AndNaNOutside()
    {
        double[] t = [-0.5, 0.8, 1.3];
        double expected = -Math.Log(ExponentialTriple.Psi(t[0], t[1], t[2])) - Math.Log(t[1]) - Math.Log(t[2]);
        Assert.Equal(expected, ExponentialTriple.Value(t), 1e-14);
        Assert.True(double.IsNaN(ExponentialTriple.Value([5, 0.8, 1.3])), "ψ < 0");
        Assert.True(double.IsNaN(ExponentialTriple.Value([-0.5, -0.8, 1.3])), "y < 0");
        Assert.True(double.IsNaN(ExponentialTriple.DualValue([0.5, 0.8, 1.3])), "u > 0");
    }

    /// <summary><paramref name="count"/> triples of the central point moved by up to 0.25 per entry (interior to both cones).</summary>
    private static double[] Triples(ProblemGenerator random, int count) => Enumerable.Range(0, 3 * count)
        .Select(i => ExponentialInteriorPoint.CentralTriple[i % 3] + 0.25 * random.Uniform(-1, 1)).ToArray();

    [Fact]
    public void MulHinv_InvertsMulH_TripleByTriple()
    {
        // Hs⁻¹(Hs u) = u for the primal–dual and the dual scaling at random interior points (Hs and Hs⁻¹ = FFᵀ applied per
        // triple in scalars), and Hs is symmetric: vᵀHs u = uᵀHs v.
        var random = new ProblemGenerator(71);
        const int count = 5;
        double[] Interior() => Triples(random, count);
        foreach (bool dual in new[] { false, true })
        {
            var cone = new KernelExponentialCone(0, count) { DualScaling = dual };
            Assert.True(cone.Scale(Interior(), Interior()));
            var u = Enumerable.Range(0, 3 * count).Select(_ => random.Uniform(-1, 1)).ToArray();
            var v = Enumerable.Range(0, 3 * count).Select(_ => random.Uniform(-1, 1)).ToArray();
            var (hu, hv, back) = (new double[3 * count], new double[3 * count], new double[3 * count]);
            cone.MulH(u, hu);
            cone.MulH(v, hv);
            cone.MulHinv(hu, back);
            for (int i = 0; i < u.Length; i++) Assert.Equal(u[i], back[i], 1e-12);
            Assert.Equal(v.Zip(hu, (a, b) => a * b).Sum(), u.Zip(hv, (a, b) => a * b).Sum(), 1e-12);
        }
    }

    [Fact]
    public void Centrality_IsNaNOutsideEitherDomain_WhicheverTripleFailedBefore()
    {
        // Centrality and InDomains test the triples from the one that failed last: the answers must not depend on it.
        // Reference: ν(log μ + 1) + Σf(s) + Σf*(z) from the triple formulas, NaN when any triple is outside.
        var random = new ProblemGenerator(67);
        const int count = 4;
        double[] Interior() => Triples(random, count);
        double Reference(double[] s, double[] z)
        {
            double sz = s.Zip(z, (a, b) => a * b).Sum(), barrier = 0;
            for (int t = 0; t < 3 * count; t += 3)
                barrier += ExponentialTriple.Value(s.AsSpan(t, 3)) + ExponentialTriple.DualValue(z.AsSpan(t, 3));
            return 3 * count * (Math.Log(sz / (3 * count)) + 1) + barrier;
        }
        var cone = new KernelExponentialCone(0, count);
        for (int trial = 0; trial < 40; trial++)
        {
            var (s, z) = (Interior(), Interior());
            int broken = (int)random.Uniform(0, count + 2);   // count, count + 1: all triples inside
            if (broken < count && trial % 2 == 0) s[3 * broken] = 5;      // ψ < 0
            else if (broken < count) z[3 * broken] = 0.5;                // u > 0
            bool inside = broken >= count;
            Assert.Equal(inside, cone.InDomains(s, z));
            double expected = Reference(s, z), ours = cone.Centrality(s, z);
            Assert.Equal(inside, double.IsFinite(ours));
            if (inside) Assert.Equal(expected, ours, 1e-12);
        }
    }

    [Fact]
    public void Cache_GivesTheShiftCentralityAndScalingOfRecomputing_OnlyAtTheHeldZ()
    {
        var random = new ProblemGenerator(61);
        double[] Interior() => Enumerable.Range(0, 6)
            .Select(i => ExponentialInteriorPoint.CentralTriple[i % 3] + 0.25 * random.Uniform(-1, 1)).ToArray();
        var (s, z, ds, dz) = (Interior(), Interior(), Interior(), Interior());
        var scaled = new KernelExponentialCone(0, 2) { CorrectionWeight = 0.7 };
        Assert.True(scaled.Scale(s, z));
        double[] Shift(KernelExponentialCone cone, double[] at)
        {
            var shift = new double[6];
            cone.CombinedShift(s, at, ds, dz, 0.3, shift);
            return shift;
        }
        var fresh = new KernelExponentialCone(0, 2) { CorrectionWeight = 0.7 };
        Assert.Equal(Shift(fresh, z), Shift(scaled, z));
        Assert.Equal(fresh.Centrality(s, z), scaled.Centrality(s, z));
        // Another z (one entry moved) is recomputed, not read from the cache.
        var moved = (double[])z.Clone();
        moved[4] *= 1.01;
        Assert.Equal(Shift(fresh, moved), Shift(scaled, moved));
        Assert.Equal(fresh.Centrality(s, moved), scaled.Centrality(s, moved));
        Assert.NotEqual(Shift(fresh, z), Shift(scaled, moved));
        // The z the step search tried last (through the centrality) is taken up by the next scaling: Hs as recomputed.
        var next = new KernelExponentialCone(0, 2) { CorrectionWeight = 0.7 };
        Assert.True(next.Scale(s, moved));
        Assert.True(scaled.Scale(s, moved));
        var (hu, expected) = (new double[6], new double[6]);
        for (int j = 0; j < 6; j++)
        {
            var unit = new double[6];
            unit[j] = 1;
            scaled.MulH(unit, hu);
            next.MulH(unit, expected);
            Assert.Equal(expected, hu);
        }
        Assert.Equal(Shift(next, moved), Shift(scaled, moved));
    }
}
