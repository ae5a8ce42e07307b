using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The checks every symmetric cone's Nesterov–Todd scaling must pass, run by each derived class on its own cone
/// with a batch mixing well-conditioned items and items near the boundary (<see cref="Interior"/>).
/// </summary>
public abstract class SymmetricScalingTests(ITestOutputHelper output)
{
    /// <summary>Relative accuracy of the float64 identities.</summary>
    protected const double Tight = 1e-12;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>The cone under test.</summary>
    internal abstract ISymmetricInteriorPointCone Cone { get; }

    /// <summary>Whether W = Wᵀ (the orthant and the second-order cone; not the PSD cone).</summary>
    protected abstract bool SymmetricW { get; }

    /// <summary>Accuracy of the identities on <see cref="Interior"/>'s batch (looser than <see cref="Tight"/> if ill-conditioned).</summary>
    protected virtual double Accuracy => Tight;

    /// <summary>Accuracy of float32 against float64.</summary>
    protected abstract double SingleAccuracy { get; }

    /// <summary>A (B, Rows) float64 batch of interior points, B ≥ 4, mixing scales and distances from the boundary.</summary>
    protected abstract Tensor Interior(int seed);

    /// <summary>How far a point is inside the cone, written independently of the code under test: &gt; 0 exactly in the interior.</summary>
    protected abstract double Margin(double[] point);

    [Fact]
    public void Scale_MapsZAndSToTheSameLambda()
    {
        ScalingChecks.AssertScaledPoint(Cone, Interior(1), Interior(2), SymmetricW, Accuracy, Output);
    }

    [Fact]
    public void Scale_OperatorsAreConsistentInverseAndTransposePairs()
    {
        ScalingChecks.AssertOperatorsConsistent(Cone, Interior(3), Interior(4), SymmetricW, Accuracy, Output);
    }

    [Fact]
    public void DenseHs_EqualsWTransposeW_AndMapsZToS()
    {
        ScalingChecks.AssertHs(Cone, Interior(5), Interior(6), Accuracy, Output);
    }

    [Fact]
    public void Scale_MapsTheInteriorOntoItself()
    {
        var points = Interior(9);
        foreach (var row in ConeChecks.Rows(points)) Assert.True(Margin(row) > 0);
        ScalingChecks.AssertKeepsInterior(Cone, Interior(7), Interior(8), points, Margin, Output);
    }

    [Fact]
    public void JordanDivide_InvertsJordanProduct_AndUnitElementIsNeutral()
    {
        ScalingChecks.AssertJordan(Cone, Interior(10), Interior(11), Accuracy, Output);
    }

    [Fact]
    public void Centrality_IsZeroOnTheCentralPathOnly()
    {
        ScalingChecks.AssertCentrality(Cone, Interior(12), Interior(13), Accuracy, Output);
    }

    [Fact]
    public void Scale_TreatsBatchItemsIndependently()
    {
        ScalingChecks.AssertItemsIndependent(Cone, Interior(14), Interior(15), 1e-14, Output);
    }

    [Fact]
    public void Float32Input_GivesFloat32ResultsCloseToFloat64()
    {
        ScalingChecks.AssertFloat32(Cone, Interior(16), Interior(17), SingleAccuracy, Output);
    }

    [Fact]
    public void Arguments_AreCheckedAndNamed()
    {
        ScalingChecks.AssertArgumentsChecked(Cone, Interior(18), Interior(19));
    }

    [Fact]
    public void UnitElement_IsInTheInterior_WithTheConesDegree()
    {
        var e = Cone.UnitElement(ScalarType.Float64, CPU);
        Assert.Equal(new long[] { Cone.Rows }, e.shape);
        Assert.True(Margin(e.data<double>().ToArray()) > 0);
        // ⟨e, e⟩ = ν: the central ray's μ = ⟨s, z⟩/ν is 1 at s = z = e.
        Assert.Equal(Cone.Degree, InteriorPointArguments.Dot(e.unsqueeze(0), e.unsqueeze(0)).item<double>(), 14);
    }
}
