using DiffOpt.InteriorPoint;
using static TorchSharp.torch;

namespace DiffOpt.Core.Tests.InteriorPoint;

/// <summary>
/// The shared status rule of the QP and cone solvers: its per-item form (the CPU kernels) and its tensor form give the
/// same statuses for every combination of inputs, Solved needs finite measures within the tolerances, and certificates
/// need both the separation above its floor and a violation within ε of it.
/// </summary>
public class StatusRuleTests
{
    private const long Running = -1;

    private static readonly SolverTolerances Tolerances = new(1e-8, 1e-6, 1e-8);

    public static TheoryData<SolverStatus?, bool, bool, SolverStatus> FinishCases => new()
    {
        { null, true, true, SolverStatus.Solved },
        { null, false, true, SolverStatus.Inaccurate },
        { null, false, false, SolverStatus.MaxIterations },
        { SolverStatus.NumericalError, true, true, SolverStatus.Inaccurate },
        { SolverStatus.NumericalError, false, false, SolverStatus.NumericalError },
        { SolverStatus.PrimalInfeasible, true, true, SolverStatus.PrimalInfeasible },
        { SolverStatus.Solved, false, false, SolverStatus.Solved },
    };

    [Theory]
    [MemberData(nameof(FinishCases))]
    public void Finish_PerItemAndTensorForms_GiveTheExpectedStatus(SolverStatus? status, bool meets, bool meetsRelaxed, SolverStatus expected)
    {
        Assert.Equal(expected, StatusRule.Finish(status, meets, meetsRelaxed));
        using var scope = NewDisposeScope();
        var codes = tensor(new[] { status is null ? Running : (long)status.Value, Running });
        var mask = tensor(new[] { true, false });
        var result = StatusRule.Finish(codes, Running, mask, tensor(new[] { meets, true }), tensor(new[] { meetsRelaxed, true }));
        Assert.Equal((long)expected, result[0].item<long>());
        Assert.Equal(Running, result[1].item<long>());
    }

    [Fact]
    public void Check_GivesUpOnlyWhereAsked()
    {
        using var scope = NewDisposeScope();
        var meets = tensor(new[] { true, false, false, false });
        var relaxed = tensor(new[] { true, true, true, false });
        var (solved, inaccurate) = StatusRule.Check(meets, relaxed, giveUp: tensor(new[] { true, true, false, true }));
        Assert.Equal(new[] { true, false, false, false }, solved.data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false, false }, inaccurate.data<bool>().ToArray());
        var (_, always) = StatusRule.Check(meets, relaxed, giveUp: null);
        Assert.Equal(new[] { false, true, true, false }, always.data<bool>().ToArray());
    }

    [Theory]
    [InlineData(1e-9, 1.0, 1.0, true)]
    [InlineData(1e-3, 1e3, 1.0, true)]
    [InlineData(1e-3, 1.0, 1.0, false)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, 1.0, false)]
    [InlineData(double.NaN, 1.0, 1.0, false)]
    public void Meets_PerItemAndTensorForms_Agree_AndRefuseNonFiniteMeasures(double primal, double primalScale, double other, bool expected)
    {
        var measures = (primal, 0.0, 0.0, primalScale, other, other);
        Assert.Equal(expected, ResidualMeasures.Meets(measures, Tolerances));
        using var scope = NewDisposeScope();
        Tensor T(double v) => tensor(new[] { v });
        var batched = new ResidualMeasures(T(primal), T(0), T(0), T(primalScale), T(other), T(other));
        Assert.Equal(expected, batched.Meets(Tolerances)[0].item<bool>());
    }

    [Theory]
    [InlineData(1.0, 1e-9, 0.0, true)]
    [InlineData(1.0, 1e-7, 0.0, false)]
    [InlineData(0.0, 0.0, 0.0, false)]
    [InlineData(1e-9, 1e-20, 1e-8, false)]
    public void Certifies_NeedsSeparationAboveTheFloor_AndASmallViolation(double separation, double violation, double floor, bool expected)
    {
        Assert.Equal(expected, StatusRule.Certifies(separation, violation, floor, Tolerances.Infeasibility));
        using var scope = NewDisposeScope();
        var batched = StatusRule.Certifies(tensor(new[] { separation }), tensor(new[] { violation }), floor == 0 ? null : tensor(new[] { floor }),
            Tolerances.Infeasibility);
        Assert.Equal(expected, batched[0].item<bool>());
    }
}
