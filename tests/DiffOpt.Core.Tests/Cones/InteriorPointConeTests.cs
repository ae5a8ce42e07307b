using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The factory, degrees and unit elements of every cone, and the zero cone's trivial scaling.</summary>
public class InteriorPointConeTests
{
    public static TheoryData<Cone, int, double[]> Cones => new()
    {
        { new ZeroCone(2), 0, [0, 0] },
        { new NonnegativeCone(3), 3, [1, 1, 1] },
        { new SecondOrderCone(3), 1, [1, 0, 0] },
        { new PsdCone(2), 2, [1, 0, 1] },
        { new ExponentialCone(2), 6, [.. ExponentialInteriorPoint.CentralTriple, .. ExponentialInteriorPoint.CentralTriple] },
    };

    [Theory]
    [MemberData(nameof(Cones))]
    public void For_BuildsEachCone_WithItsDegreeAndUnitElement(Cone cone, int degree, double[] unit)
    {
        var math = InteriorPointMath.For(cone);
        Assert.Equal(cone.Rows, math.Rows);
        Assert.Equal(degree, math.Degree);
        var e = math.UnitElement(ScalarType.Float32, CPU);
        Assert.Equal(ScalarType.Float32, e.dtype);
        Assert.Equal(unit.Select(x => (float)x), e.data<float>().ToArray());
    }

    [Fact]
    public void ZeroCone_HasZeroScaling_AndChecksItsArguments()
    {
        var cone = InteriorPointMath.For(new ZeroCone(3));
        var s = zeros(2, 3, dtype: ScalarType.Float64);
        var scaling = cone.Scale(s, ConeChecks.Batch([[1, -2, 3], [4, 5, -6]]));
        Assert.Equal(new long[] { 2, 3, 3 }, scaling.DenseHs().shape);
        Assert.Equal(0.0, scaling.DenseHs().abs().max().item<double>());
        Assert.Equal(0.0, scaling.MulHs(ones_like(s)).abs().max().item<double>());
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => cone.Scale(s, zeros(2, 4, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("u", Assert.Throws<ArgumentException>(() => scaling.MulHs(zeros(2, 3, dtype: ScalarType.Float32))).ParamName);
    }
}
