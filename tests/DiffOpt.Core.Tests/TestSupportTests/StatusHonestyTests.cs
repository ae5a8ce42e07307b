using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupportTests;

/// <summary>The honesty check is not vacuous: it rejects a wrong point claimed Solved and a false infeasibility claim.</summary>
public class StatusHonestyTests
{
    [Fact]
    public void AssertHonest_Fails_WhenAWrongPointIsReportedSolved()
    {
        var planted = new ProblemGenerator(801).Planted(4, 6, 2, 1);
        var args = QpTensors.Single(planted.Problem);
        var exact = Fake(planted.Z, planted.Lambda, planted.Nu, SolverStatus.Solved);
        var shifted = Fake(planted.Z + 1e-5, planted.Lambda, planted.Nu, SolverStatus.Solved);

        StatusHonesty.AssertHonest(args, exact);
        Assert.Throws<TrueException>(() => StatusHonesty.AssertHonest(args, shifted));
    }

    [Fact]
    public void AssertHonest_Fails_WhenAFeasibleBoundedProblemIsReportedInfeasible()
    {
        var planted = new ProblemGenerator(802).Planted(4, 6, 2, 1);
        var args = QpTensors.Single(planted.Problem);

        Assert.Throws<TrueException>(() => StatusHonesty.AssertHonest(args, Fake(planted.Z, planted.Lambda, planted.Nu, SolverStatus.PrimalInfeasible)));
        Assert.Throws<TrueException>(() => StatusHonesty.AssertHonest(args, Fake(planted.Z, planted.Lambda, planted.Nu, SolverStatus.DualInfeasible)));
    }

    /// <summary>A solution as the solver would report it, with residuals computed honestly from the given point.</summary>
    private static QpSolution Fake(MathNet.Numerics.LinearAlgebra.Vector<double> z, MathNet.Numerics.LinearAlgebra.Vector<double> lambda,
        MathNet.Numerics.LinearAlgebra.Vector<double> nu, SolverStatus status) =>
        new(QpTensors.ToTensor(z).unsqueeze(0), QpTensors.ToTensor(lambda).unsqueeze(0), QpTensors.ToTensor(nu).unsqueeze(0),
            [status], [1], [0.0], [0.0], [0.0], [false]);

    [Fact]
    public void FeasibilityOracle_ClassifiesKnownProblems()
    {
        var random = new ProblemGenerator(803);
        var feasible = random.Feasible(5, 8, 1).Problem;
        Assert.False(FeasibilityOracle.IsInfeasible(feasible));
        Assert.False(FeasibilityOracle.IsUnbounded(feasible));
        Assert.True(FeasibilityOracle.IsInfeasible(random.PrimalInfeasible(5, 8, 1)));
        var unbounded = random.Unbounded(5, 8, 1);
        Assert.False(FeasibilityOracle.IsInfeasible(unbounded));
        Assert.True(FeasibilityOracle.IsUnbounded(unbounded));
    }
}
