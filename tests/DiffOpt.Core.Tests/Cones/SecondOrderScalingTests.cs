using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The second-order cone's Nesterov–Todd scaling W = η[a, qᵀ; q, I + qqᵀ/(1 + a)].</summary>
public class SecondOrderScalingTests(ITestOutputHelper output) : SymmetricScalingTests(output)
{
    private const int N = 5;

    internal override ISymmetricInteriorPointCone Cone { get; } = (ISymmetricInteriorPointCone)InteriorPointMath.For(new SecondOrderCone(N));

    protected override bool SymmetricW => true;

    protected override double SingleAccuracy => 1e-4;

    /// <summary>
    /// t = ‖u‖(1 + δ) with δ = e^U(−6, 1) (from 2.5e-3 to e, relative distance to the boundary), times a scale e^U(−3, 3).
    /// </summary>
    protected override Tensor Interior(int seed)
    {
        var random = new ProblemGenerator(500 + seed);
        return ConeChecks.Batch(Enumerable.Range(0, 6).Select(_ =>
        {
            var u = random.NormalVector(N - 1).ToArray();
            double scale = Math.Exp(random.Uniform(-3, 3));
            return new[] { ConeChecks.Norm(u) * (1 + Math.Exp(random.Uniform(-6, 1))) }.Concat(u).Select(x => scale * x).ToArray();
        }).ToList());
    }

    protected override double Margin(double[] point) => point[0] - ConeChecks.Norm(point.Skip(1));

    [Fact]
    public void Parts_RebuildDenseHsAsIdentityPlusRankTwo()
    {
        var (s, z) = (Interior(30), Interior(31));
        var w = (SecondOrderScaling)Cone.Scale(s, z);
        var (scale, plus, minus) = w.Parts();
        var rebuilt = scale.view(-1, 1, 1) * (eye(N, dtype: s.dtype).Plus(plus.unsqueeze(2) * plus.unsqueeze(1)) - minus.unsqueeze(2) * minus.unsqueeze(1));
        ScalingChecks.AssertClose(w.DenseHs(), rebuilt, 1e-13, Output, "η²(I + uuᵀ − vvᵀ) = Hs");
    }

    [Fact]
    public void JordanProduct_MatchesHandDerivedFixture()
    {
        var cone = (ISymmetricInteriorPointCone)InteriorPointMath.For(new SecondOrderCone(3));
        // (2, 1, 0) ∘ (3, 0, 1) = (6 + 0 + 0, 2·(0, 1) + 3·(1, 0)) = (6, 3, 2).
        var product = cone.JordanProduct(ConeChecks.Batch([[2, 1, 0]]), ConeChecks.Batch([[3, 0, 1]]));
        Assert.Equal(new[] { 6.0, 3, 2 }, product.data<double>().ToArray());
    }

    [Fact]
    public void DimensionOne_IsTheHalfLine()
    {
        var cone = (ISymmetricInteriorPointCone)InteriorPointMath.For(new SecondOrderCone(1));
        var w = cone.Scale(ConeChecks.Batch([[4], [1]]), ConeChecks.Batch([[1], [9]]));
        var lambda = w.Lambda.data<double>().ToArray();
        var hs = w.DenseHs().reshape(2).data<double>().ToArray();
        Assert.Equal(2.0, lambda[0], 14);
        Assert.Equal(3.0, lambda[1], 14);
        Assert.Equal(4.0, hs[0], 14);
        Assert.Equal(1 / 9.0, hs[1], 14);
    }
}
