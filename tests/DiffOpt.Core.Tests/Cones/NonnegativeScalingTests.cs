using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The orthant's Nesterov–Todd scaling W = diag(√(s/z)).</summary>
public class NonnegativeScalingTests(ITestOutputHelper output) : SymmetricScalingTests(output)
{
    private const int N = 5;

    internal override ISymmetricInteriorPointCone Cone { get; } = (ISymmetricInteriorPointCone)InteriorPointMath.For(new NonnegativeCone(N));

    protected override bool SymmetricW => true;

    protected override double SingleAccuracy => 1e-6;

    /// <summary>Entries e^U(−7, 7): from 1e-3 to 1e3 in one item.</summary>
    protected override Tensor Interior(int seed)
    {
        var random = new ProblemGenerator(400 + seed);
        return ConeChecks.Batch(Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, N).Select(_ => Math.Exp(random.Uniform(-7, 7))).ToArray()).ToList());
    }

    protected override double Margin(double[] point) => point.Min();

    [Fact]
    public void Scale_MatchesTheDirectFormula()
    {
        var (s, z) = (Interior(20), Interior(21));
        var w = Cone.Scale(s, z);
        var rows = ConeChecks.Rows(s).Zip(ConeChecks.Rows(z)).ToList();
        var lambda = ConeChecks.Batch(rows.Select(p => p.First.Zip(p.Second, (a, b) => Math.Sqrt(a * b)).ToArray()).ToList());
        var scaled = ConeChecks.Batch(rows.Select(p => p.First.Zip(p.Second, (a, b) => Math.Sqrt(a / b) * 3.0)).Select(r => r.ToArray()).ToList());
        var hs = ConeChecks.Batch(rows.Select(p => p.First.Zip(p.Second, (a, b) => a / b).ToArray()).ToList());
        ScalingChecks.AssertClose(lambda, w.Lambda, 1e-15, Output, "λ = √(s∘z)");
        ScalingChecks.AssertClose(scaled, w.Apply(ScalarSafeOperations.With(3.0, value => full_like(s, value))), 1e-15, Output, "W·3 = 3√(s/z)");
        ScalingChecks.AssertClose(diag_embed(hs), w.DenseHs(), 1e-15, Output, "Hs = diag(s/z)");
    }
}
