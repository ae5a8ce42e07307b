using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The stepping rule every form of the QP's iterative refinement shares (<see cref="RefinementRule"/>): which steps are
/// kept and when an item stops.
/// </summary>
public class RefinementRuleTests
{
    private static readonly RefinementRule Rule = RefinementRule.WithSteps(10);

    [Fact]
    public void AnItemAtItsLimit_TakesNoStep()
    {
        Assert.False(Rule.Start(1e-12, 1e-12).Active);
        Assert.True(Rule.Start(2e-12, 1e-12).Active);
    }

    [Theory]
    [InlineData(0.25, 1e-12, true, true)]          // lowers the residual by the minimum improvement: kept, goes on
    [InlineData(0.75, 1e-12, true, false)]         // gains less than the minimum improvement: kept, stops
    [InlineData(0.1, 0.1, true, false)]            // reaches the limit: kept, stops
    [InlineData(1.0, 1e-12, false, false)]         // does not lower the residual: discarded, stops
    [InlineData(3.0, 1e-12, false, false)]
    [InlineData(double.NaN, 1e-12, false, false)]
    public void AStep_IsKeptWhenItLowersTheResidual_AndTheItemGoesOnWhileItGainsTwiceAboveItsLimit(double candidate, double limit,
        bool kept, bool active)
    {
        var item = Rule.Start(1.0, limit);
        Assert.Equal(kept, item.Offer(candidate));
        Assert.Equal(kept ? candidate : 1.0, item.Norm);
        Assert.Equal(active, item.Active);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Limits_EqualTheTensorProduct_InTheProblemsPrecision(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        double tolerance = 10 * 1.1920929e-7;
        var norms = rand(64, dtype: ScalarType.Float64, generator: new Generator(5)).Times(1e3).to_type(dtype);
        var expected = TensorCopy.ToDoubles(norms.Times(tolerance));
        var limits = RefinementRule.Limits(TensorCopy.ToDoubles(norms), tolerance, single: dtype == ScalarType.Float32);
        Assert.Equal(expected, limits);
    }
}
