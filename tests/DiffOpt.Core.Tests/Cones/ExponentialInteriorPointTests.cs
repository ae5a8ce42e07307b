using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The exponential cone's barrier f = −log(y log(z/y) − x) − log y − log z, its conjugate's gradient and the
/// Dahl–Andersen scaling, against finite differences, homogeneity, conjugacy and the secant equations.
/// </summary>
public class ExponentialInteriorPointTests(ITestOutputHelper output)
{
    private const int Count = 3;
    private static readonly ExponentialInteriorPoint Cone = new(new ExponentialCone(Count));

    /// <summary>
    /// Interior points: per triple y = e^U(−3, 3), x = yρ with ρ ~ U(−4, 4), z = y e^ρ (1 + δ), δ = e^U(−7, 1) (relative
    /// distance to the curved boundary from 1e-3 to e).
    /// </summary>
    private static Tensor Primal(int seed, int batch = 5)
    {
        var random = new ProblemGenerator(800 + seed);
        return ConeChecks.Batch(Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, Count).SelectMany(_ =>
        {
            double y = Math.Exp(random.Uniform(-3, 3)), rho = random.Uniform(-4, 4);
            return new[] { y * rho, y, y * Math.Exp(rho) * (1 + Math.Exp(random.Uniform(-7, 1))) };
        }).ToArray()).ToList());
    }

    /// <summary>
    /// Dual interior points, written from K* = {u &lt; 0, v ≥ u(1 + log(w/(−u)))} and independent of the barrier:
    /// u = −e^U(−3, 3), w = e^U(−3, 3), v = u(1 + log(w/(−u))) + |u|·e^U(−7, 1).
    /// </summary>
    private static Tensor Dual(int seed, int batch = 5)
    {
        var random = new ProblemGenerator(900 + seed);
        return ConeChecks.Batch(Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, Count).SelectMany(_ =>
        {
            double u = -Math.Exp(random.Uniform(-3, 3)), w = Math.Exp(random.Uniform(-3, 3));
            return new[] { u, u * (1 + Math.Log(w / -u)) - u * Math.Exp(random.Uniform(-7, 1)), w };
        }).ToArray()).ToList());
    }

    [Fact]
    public void Gradient_MatchesCentralDifferencesOfTheBarrier()
    {
        var s = Primal(1);
        var numeric = ScalingChecks.Dense(e => (Cone.Barrier(s.Plus(Step(s) * e)) - Cone.Barrier(s - Step(s) * e)).unsqueeze(1), s)
            .squeeze(1) / Step(s).Times(2L);
        ScalingChecks.AssertClose(numeric, Cone.Gradient(s), 1e-5, output, "∇f vs central differences of f");
    }

    [Fact]
    public void Hessian_MatchesCentralDifferencesOfTheGradient_AndIsSymmetric()
    {
        var s = Primal(2);
        var numeric = ScalingChecks.Dense(e => Cone.Gradient(s.Plus(Step(s) * e)) - Cone.Gradient(s - Step(s) * e), s) / Step(s).Times(2L).unsqueeze(1);
        var hessian = Cone.Hessian(s);
        var blocks = numeric.view(s.shape[0], Count, 3, Count, 3).diagonal(offset: 0, dim1: 1, dim2: 3).permute(0, 3, 1, 2);
        ScalingChecks.AssertClose(blocks, hessian, 1e-6, output, "∇²f vs central differences of ∇f");
        ScalingChecks.AssertClose(hessian.transpose(2, 3), hessian, 0, output, "∇²f symmetric");
        var offBlock = numeric.view(s.shape[0], Count, 3, Count, 3).abs().sum(4).sum(2) * eye(Count, dtype: s.dtype).SubtractedFrom(1L);
        Assert.True(offBlock.max().item<double>() <= 1e-6, "the Hessian couples different triples");
    }

    [Fact]
    public void Barrier_IsLogarithmicallyHomogeneousOfDegreeThree()
    {
        var s = Primal(3);
        var gradient = Cone.Gradient(s);
        var degree = (-InteriorPointArguments.Dot(gradient, s)).DividedBy(Count);
        ScalingChecks.AssertClose(ScalarSafeOperations.With(3L, three => full_like(degree, three)).unsqueeze(1), degree.unsqueeze(1), 1e-12, output, "⟨−∇f(s), s⟩ per triple = 3");
        var hs = Cone.Hessian(s).matmul(s.view(-1, Count, 3, 1)).view(s.shape[0], -1);
        ScalingChecks.AssertClose(-gradient, hs, 1e-12, output, "∇²f(s)s = −∇f(s)");
        ScalingChecks.AssertClose(Cone.Barrier(s).Plus(3 * Count * Math.Log(2.5)).unsqueeze(1), Cone.Barrier(s.DividedBy(2.5)).unsqueeze(1), 1e-13,
            output, "f(s/2.5) = f(s) + 3·Count·log 2.5");
    }

    [Fact]
    public void Hessian_IsPositiveDefiniteOnTheInterior_AndMinusGradientIsDualInterior()
    {
        var s = Primal(4, 40);
        var eigenvalues = linalg.eigvalsh(Cone.Hessian(s));
        double ratio = (eigenvalues.amin(-1) / eigenvalues.amax(-1)).min().item<double>();
        output.WriteLine($"smallest λ_min/λ_max of ∇²f over 120 triples: {ratio:G4}");
        Assert.True(ratio > 0, "∇²f not positive definite");
        Assert.True(Cone.InDualBarrierDomain(-Cone.Gradient(s)).all().item<bool>(), "−∇f(s) ∉ int K*");
    }

    [Fact]
    public void InverseHessian_InvertsTheHessian_AndMapsMinusGradientToTheArgument()
    {
        var s = Primal(14, 40);
        var inverse = Cone.InverseHessian(s);
        var hessian = Cone.Hessian(s);
        var identity = eye(3, dtype: s.dtype).expand(s.shape[0], Count, -1, -1);
        var product = inverse.matmul(hessian);
        double worst = ((product - identity).abs().amax([2, 3])).max().item<double>();
        double condition = linalg.cond(hessian).max().item<double>();
        output.WriteLine($"[∇²f]⁻¹∇²f − I: {worst:E2} (largest condition number of ∇²f {condition:E2})");
        Assert.True(worst <= 1e-16 * condition, $"[∇²f]⁻¹∇²f differs from I by {worst:G3}");
        ScalingChecks.AssertClose(inverse.transpose(2, 3), inverse, 0, output, "[∇²f]⁻¹ symmetric");
        var mapped = inverse.matmul(-Cone.Gradient(s).view(-1, Count, 3, 1)).view(s.shape[0], -1);
        ScalingChecks.AssertClose(s, mapped, 1e-12, output, "[∇²f(s)]⁻¹(−∇f(s)) = s");
    }

    [Fact]
    public void DualGradient_SolvesTheConjugacyRelations()
    {
        var z = Dual(5, 40);
        Assert.True(Cone.InDualBarrierDomain(z).all().item<bool>());
        var x = -Cone.DualGradient(z);
        Assert.True(Cone.InBarrierDomain(x).all().item<bool>(), "−∇f*(z) ∉ int K");
        ScalingChecks.AssertClose(z, -Cone.Gradient(x), 1e-12, output, "−∇f(−∇f*(z)) = z");
        var degree = InteriorPointArguments.Dot(x, z).DividedBy(Count);
        ScalingChecks.AssertClose(ScalarSafeOperations.With(3L, three => full_like(degree, three)).unsqueeze(1), degree.unsqueeze(1), 1e-12, output, "⟨−∇f*(z), z⟩ per triple = 3");
        var s = Primal(6, 40);
        ScalingChecks.AssertClose(s, -Cone.DualGradient(-Cone.Gradient(s)), 1e-12, output, "−∇f*(−∇f(s)) = s");
    }

    [Fact]
    public void DualGradient_MatchesCentralDifferencesOfTheConjugate()
    {
        // f*(z) = −⟨z, x⟩ − f(x) at x = −∇f*(z), = −3·Count − f(x) by homogeneity: a value computed from x alone.
        Tensor Conjugate(Tensor z) => Cone.Barrier(-Cone.DualGradient(z)).SubtractedFrom(-3L * Count);
        var z = Dual(7);
        var numeric = ScalingChecks.Dense(e => (Conjugate(z.Plus(Step(z) * e)) - Conjugate(z - Step(z) * e)).unsqueeze(1), z)
            .squeeze(1) / Step(z).Times(2L);
        ScalingChecks.AssertClose(numeric, Cone.DualGradient(z), 1e-5, output, "∇f* vs central differences of f*");
    }

    [Fact]
    public void DualGradient_IsNaNOutsideTheDualInterior()
    {
        var cone = new ExponentialInteriorPoint(new ExponentialCone(1));
        // (1, 0, 1): u > 0; (−1, −3, 1): v < u(1 + log(w/(−u))) = −1; (−1, −1, 1): on the boundary.
        var gradient = cone.DualGradient(ConeChecks.Batch([[1, 0, 1], [-1, -3, 1], [-1, -1, 1], [-1, 0, 1]]));
        Assert.Equal(new[] { true, true, true, false }, gradient.isnan().all(1).data<bool>().ToArray());
    }

    [Fact]
    public void UnitElement_IsTheCentralPoint_WhereMinusGradientEqualsItself()
    {
        var e = Cone.UnitElement(ScalarType.Float64, CPU).unsqueeze(0);
        Assert.Equal(new long[] { 1, Cone.Rows }, e.shape);
        ScalingChecks.AssertClose(e, -Cone.Gradient(e), 1e-15, output, "−∇f(e) = e");
        Assert.Equal(3 * Count, Cone.Degree);
    }

    [Fact]
    public void Domains_AcceptTheInteriorOnly()
    {
        var cone = new ExponentialInteriorPoint(new ExponentialCone(1));
        // inside; y = 0 face; z ≤ 0; on the curved boundary (ψ = 0: x = y log(z/y)); just outside it.
        var s = ConeChecks.Batch([[0, 1, 2], [-1, 0, 1], [-1, 1, 0], [0, 1, 1], [1e-9, 1, 1]]);
        Assert.Equal(new[] { true, false, false, false, false }, cone.InBarrierDomain(s).data<bool>().ToArray());
        // inside; u = 0; w ≤ 0; on the boundary v = u(1 + log(w/(−u))) = −1.
        var z = ConeChecks.Batch([[-1, 0, 1], [0, 1, 1], [-1, 5, 0], [-1, -1, 1]]);
        Assert.Equal(new[] { true, false, false, false }, cone.InDualBarrierDomain(z).data<bool>().ToArray());
    }

    [Fact]
    public void Scale_SatisfiesBothSecantEquations_AndIsSymmetricPositiveDefinite()
    {
        var (s, z) = (Primal(8, 20), Dual(8, 20));
        var scaling = (ExponentialScaling)Cone.Scale(s, z);
        Assert.True(scaling.PrimalDual.all().item<bool>(), "an off-centre triple fell back to μH*");
        var sTilde = -Cone.DualGradient(z);
        var zTilde = -Cone.Gradient(s);
        ScalingChecks.AssertClose(s, scaling.MulHs(z), 1e-10, output, "Hs z = s");
        ScalingChecks.AssertClose(sTilde, scaling.MulHs(zTilde), 1e-10, output, "Hs z̃ = s̃");
        AssertSymmetricPositiveDefinite(scaling.DenseHs());
    }

    [Fact]
    public void Scale_KeepsTheSecantEquations_NearTheBoundaryAndFarFromTheCentralPath()
    {
        // 2000 single-triple items: y, −u, w over e^±6, ρ over ±8, relative distance to the boundary down to 1.5e-8,
        // so μμ̃ − 1 reaches 1e21 and ∇²f's condition number 1e16 (a numerical inverse of ∇²f(s̃) fails here).
        var cone = new ExponentialInteriorPoint(new ExponentialCone(1));
        var random = new ProblemGenerator(1300);
        var primal = new List<double[]>();
        var dual = new List<double[]>();
        for (int i = 0; i < 2000; i++)
        {
            double y = Math.Exp(random.Uniform(-6, 6)), rho = random.Uniform(-8, 8);
            primal.Add([y * rho, y, y * Math.Exp(rho) * (1 + Math.Exp(random.Uniform(-18, 2)))]);
            double u = -Math.Exp(random.Uniform(-6, 6)), w = Math.Exp(random.Uniform(-6, 6));
            dual.Add([u, u * (1 + Math.Log(w / -u)) - u * Math.Exp(random.Uniform(-18, 2)), w]);
        }
        var (s, z) = (ConeChecks.Batch(primal), ConeChecks.Batch(dual));
        var scaling = (ExponentialScaling)cone.Scale(s, z);
        Assert.True(scaling.PrimalDual.all().item<bool>());
        ScalingChecks.AssertClose(s, scaling.MulHs(z), 1e-3, output, "stress: Hs z = s");
        ScalingChecks.AssertClose(-cone.DualGradient(z), scaling.MulHs(-cone.Gradient(s)), 1e-2, output, "stress: Hs z̃ = s̃");
        var eigenvalues = linalg.eigvalsh(scaling.Blocks);
        double ratio = (eigenvalues.amin(-1) / eigenvalues.amax(-1)).min().item<double>();
        output.WriteLine($"stress: smallest λ_min/λ_max of Hs {ratio:G4}");
        Assert.True(ratio >= -1e-14, $"Hs indefinite beyond rounding: {ratio:G3}");
    }

    [Fact]
    public void Scale_FallsBackToMuTimesDualHessian_OnTheCentralPath()
    {
        // z = −μ∇f(s) is the central path (then s = μ·s̃); Hs = μ∇²f*(z) = μ[∇²f(s/μ)]⁻¹ = [∇²f(s)]⁻¹/μ.
        var s = Primal(9);
        const double mu = 0.3;
        var z = Cone.Gradient(s).Times(-mu);
        var scaling = (ExponentialScaling)Cone.Scale(s, z);
        Assert.False(scaling.PrimalDual.any().item<bool>(), "a central triple used the primal–dual formula");
        ScalingChecks.AssertClose(linalg.inv(Cone.Hessian(s)).DividedBy(mu), scaling.Blocks, 1e-9, output, "Hs = [∇²f(s)]⁻¹/μ on the path (numerical inverse)");
        ScalingChecks.AssertClose(s, scaling.MulHs(z), 1e-9, output, "Hs z = s on the path");
    }

    [Fact]
    public void Scale_TreatsBatchItemsIndependently_MixingCentralAndOffCentreItems()
    {
        var s = Primal(10, 4);
        var z = Dual(10, 4);
        z[1] = Cone.Gradient(s.narrow(0, 1, 1)).squeeze(0).Times(-0.7);
        var batch = (ExponentialScaling)Cone.Scale(s, z);
        Assert.Equal(new[] { true, false, true, true }, batch.PrimalDual.all(1).data<bool>().ToArray());
        for (int i = 0; i < 4; i++)
        {
            var alone = Cone.Scale(s.narrow(0, i, 1), z.narrow(0, i, 1)).DenseHs();
            Assert.Equal(0.0, (alone - batch.DenseHs().narrow(0, i, 1)).abs().max().item<double>());
        }
        var dense = batch.DenseHs();
        var u = randn_like(s);
        ScalingChecks.AssertClose(dense.matmul(u.unsqueeze(2)).squeeze(2), batch.MulHs(u), 1e-14, output, "MulHs = DenseHs·u");
    }

    [Fact]
    public void Centrality_IsZeroOnTheCentralPathOnly_AndPositiveElsewhere()
    {
        var s = Primal(13, 20);
        var central = Cone.Centrality(s, Cone.Gradient(s).Times(-0.3));
        var e = Cone.UnitElement(ScalarType.Float64, CPU).unsqueeze(0);
        double atUnit = Cone.Centrality(e, e).abs().item<double>();
        var off = Cone.Centrality(s, Dual(13, 20));
        double onPath = central.abs().max().item<double>(), smallest = off.min().item<double>();
        output.WriteLine($"centrality on the path {onPath:E2}, at e {atUnit:E2}, off the path ≥ {smallest:G4}");
        Assert.True(onPath <= 1e-12 && atUnit <= 1e-12, $"centrality on the path {onPath:G3}, at e {atUnit:G3}");
        Assert.True(smallest > 1e-3, $"centrality off the path {smallest:G3}");
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        var (s, z) = (Primal(11), Dual(11));
        var (s32, z32) = (s.to(ScalarType.Float32), z.to(ScalarType.Float32));
        var pairs = new (string, Tensor, Tensor)[]
        {
            ("∇f", Cone.Gradient(s), Cone.Gradient(s32)), ("∇²f", Cone.Hessian(s), Cone.Hessian(s32)),
            ("∇f*", Cone.DualGradient(z), Cone.DualGradient(z32)),
        };
        foreach (var (what, exact, single) in pairs)
        {
            Assert.Equal(ScalarType.Float32, single.dtype);
            AssertRelative(exact, single, 1e-3, $"float32 {what}");
        }
        var hs = Cone.Scale(s32, z32).DenseHs();
        Assert.Equal(ScalarType.Float32, hs.dtype);
        AssertRelative(Cone.Scale(s, z).DenseHs(), hs, 1e-2, "float32 Hs");
        ScalingChecks.AssertClose(s, Cone.Scale(s32, z32).MulHs(z32), 1e-4, output, "float32 Hs z = s");
    }

    [Fact]
    public void Arguments_AreCheckedAndNamed()
    {
        var (s, z) = (Primal(12), Dual(12));
        var wrong = zeros(s.shape[0], Cone.Rows - 1, dtype: s.dtype);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Cone.Gradient(wrong)).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Cone.Hessian(wrong)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Cone.DualGradient(wrong)).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Cone.InBarrierDomain(wrong)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Cone.Scale(s, wrong)).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Cone.Scale(s, z.to(ScalarType.Float32))).ParamName);
        var scaling = Cone.Scale(s, z);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() => scaling.MulHs(wrong)).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() => scaling.MulHs(s.to(ScalarType.Float32))).ParamName);
    }

    /// <summary>A central-difference step, 1e-6 relative to each entry's size (the triples span six orders of magnitude).</summary>
    private static Tensor Step(Tensor v) => v.abs().AtLeast(1e-3).Times(1e-6);

    private void AssertSymmetricPositiveDefinite(Tensor dense)
    {
        ScalingChecks.AssertClose(dense.transpose(1, 2), dense, 1e-14, output, "Hs symmetric");
        var eigenvalues = linalg.eigvalsh(dense);
        double ratio = (eigenvalues.amin(1) / eigenvalues.amax(1)).min().item<double>();
        output.WriteLine($"Hs: smallest λ_min/λ_max {ratio:G4}");
        Assert.True(ratio > 0, "Hs not positive definite");
    }

    private void AssertRelative(Tensor exact, Tensor single, double tolerance, string what)
    {
        double error = ((single.to(ScalarType.Float64) - exact).abs() / exact.abs().AtLeast(1e-300)).max().item<double>();
        output.WriteLine($"{what}: worst entrywise relative error {error:E2}");
        Assert.True(error <= tolerance, $"{what}: relative error {error:G3}");
    }
}
