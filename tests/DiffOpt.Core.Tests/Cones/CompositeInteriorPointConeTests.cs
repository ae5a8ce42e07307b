using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The product of every cone: degrees add up, unit elements and scalings join blockwise.</summary>
public class CompositeInteriorPointConeTests(ITestOutputHelper output)
{
    private static readonly Cone[] Descriptions =
        [new ZeroCone(2), new NonnegativeCone(3), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)];

    private static readonly CompositeInteriorPointCone Cone = new(Descriptions);

    /// <summary>
    /// Interior pairs per cone: s = 0 and z free on the zero cone; the unit element plus a positive multiple of a
    /// random interior direction elsewhere (e + t·d is interior for interior e, d in a convex cone; for the dual of
    /// the exponential cone, d = −∇f at a random interior point).
    /// </summary>
    private static (Tensor S, Tensor Z) Pair(int seed)
    {
        var random = new ProblemGenerator(seed);
        double[] Item(bool dual) =>
        [
            .. dual ? new[] { random.Normal(), random.Normal() } : new double[2],
            .. Enumerable.Range(0, 3).Select(_ => random.Uniform(0.1, 3)),
            .. new[] { 2 + random.Uniform(0, 1), random.Normal() / 3, random.Normal() / 3 },
            .. new[] { 1 + random.Uniform(0, 2), random.Normal() / 3, 1 + random.Uniform(0, 2) },
            .. Enumerable.Range(0, 2).SelectMany(_ => new[] { -random.Uniform(0.5, 2), random.Uniform(0.5, 2), random.Uniform(4, 8) }),
        ];
        var s = ConeChecks.Batch(Enumerable.Range(0, 4).Select(_ => Item(false)).ToList());
        var z = ConeChecks.Batch(Enumerable.Range(0, 4).Select(_ => Item(true)).ToList());
        var exponential = (ExponentialInteriorPoint)Cone.Cones[4];
        var dual = -exponential.Gradient(z.narrow(1, 11, 6));
        return (s, cat([z.narrow(1, 0, 11), dual], 1));
    }

    [Fact]
    public void DegreeRowsAndUnitElement_AreTheCones_Joined()
    {
        Assert.Equal(2 + 3 + 3 + 3 + 6, Cone.Rows);
        Assert.Equal(0 + 3 + 1 + 2 + 6, Cone.Degree);
        Assert.Equal(new[] { 0, 2, 5, 8, 11 }, Cone.Offsets);
        var e = Cone.UnitElement(ScalarType.Float64, CPU);
        var expected = Descriptions.SelectMany(d => InteriorPointMath.For(d).UnitElement(ScalarType.Float64, CPU).data<double>().ToArray());
        Assert.Equal(expected, e.data<double>().ToArray());
    }

    [Fact]
    public void Scale_IsBlockDiagonal_WithEachConesBlock_AndMapsZToS()
    {
        var (s, z) = Pair(1001);
        var scaling = Cone.Scale(s, z);
        var dense = scaling.DenseHs();
        for (int i = 0; i < Descriptions.Length; i++)
        {
            int offset = Cone.Offsets[i], rows = Descriptions[i].Rows;
            var block = InteriorPointMath.For(Descriptions[i]).Scale(s.narrow(1, offset, rows), z.narrow(1, offset, rows)).DenseHs();
            Assert.Equal(0.0, (dense.narrow(1, offset, rows).narrow(2, offset, rows) - block).abs().max().item<double>());
        }
        var outside = ones_like(dense);
        for (int i = 0; i < Descriptions.Length; i++)
            outside.narrow(1, Cone.Offsets[i], Descriptions[i].Rows).narrow(2, Cone.Offsets[i], Descriptions[i].Rows).fill_(ScalarSafeOperations.Zero);
        Assert.Equal(0.0, (dense * outside).abs().max().item<double>());
        ScalingChecks.AssertClose(s, scaling.MulHs(z), 1e-12, output, "Hs z = s over the product");
        var u = randn_like(s);
        ScalingChecks.AssertClose(dense.matmul(u.unsqueeze(2)).squeeze(2), scaling.MulHs(u), 1e-14, output, "MulHs = DenseHs·u");
    }

    [Fact]
    public void Scale_AtTheUnitElement_MapsItToItself()
    {
        var e = Cone.UnitElement(ScalarType.Float64, CPU).unsqueeze(0).expand(3, -1).contiguous();
        ScalingChecks.AssertClose(e, Cone.Scale(e, e).MulHs(e), 1e-14, output, "Hs(e, e) e = e");
    }

    [Fact]
    public void Arguments_AreCheckedAndNamed()
    {
        var (s, z) = Pair(1002);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Cone.Scale(s, z.narrow(1, 0, 5))).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() => Cone.Scale(s, z).MulHs(s.to(ScalarType.Float32))).ParamName);
        Assert.Equal("cones", Assert.Throws<ArgumentException>(() => new CompositeInteriorPointCone([new ZeroCone(1), null!])).ParamName);
    }
}
