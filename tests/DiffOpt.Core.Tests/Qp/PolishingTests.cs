using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Polishing: at the default options, nondegenerate problems come back exact to about the rounding of their KKT
/// system (the interior-point iterate alone is only within the tolerance), and so do their gradients.
/// </summary>
public class PolishingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(8, 6, 3, 2)]
    [InlineData(60, 40, 15, 8)]   // the size of the problem that came back 1.4e-6 off before polishing
    public void Solve_ReturnsThePlantedSolutionExactly_AtDefaultOptions(int n, int m, int active, int k)
    {
        var random = new ProblemGenerator(61);
        var planted = Enumerable.Range(0, 4).Select(_ => random.Planted(n, m, active, k)).ToList();

        var solution = QpTensors.Stack(planted.Select(p => p.Problem).ToList()).Solve();

        for (int i = 0; i < planted.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            Assert.True(solution.Polished[i], $"item {i} was not polished");
            VectorAssert.Close(planted[i].Z, item.X, 1e-10, $"x of item {i}", output);
            VectorAssert.Close(planted[i].Lambda, item.Lambda, 1e-10, $"λ of item {i}", output);
            VectorAssert.Close(planted[i].Nu, item.Nu, 1e-10, $"ν of item {i}", output);
        }
    }

    [Fact]
    public void ReportedResiduals_OfPolishedPoints_AreTheReturnedPointsOwn()
    {
        // The solve reuses the polishing's check of the returned points for its report when nothing was normalised;
        // the report must be that of the returned points on the caller's data, bit for bit.
        var random = new ProblemGenerator(65);
        var args = QpTensors.Stack(Enumerable.Range(0, 6).Select(_ => random.Planted(12, 9, 4, 3).Problem).ToList());

        var solution = args.Solve();

        Assert.All(solution.Polished, Assert.True);
        var problem = QpProblem.Create(args.Q, args.P, args.G, args.H, args.A, args.B);
        var (primal, dual, gap) = SolutionResiduals.Evaluate(problem, solution.X, solution.InequalityDuals, solution.EqualityDuals).HostMeasures();
        Assert.Equal(primal, solution.PrimalResidual);
        Assert.Equal(dual, solution.DualResidual);
        Assert.Equal(gap, solution.DualityGap);
    }

    [Fact]
    public void Solve_ReturnsTheInteriorPointIterate_WhenPolishIsOff()
    {
        var planted = new ProblemGenerator(62).Planted(60, 40, 15, 8);

        var solution = QpTensors.Single(planted.Problem).Solve(new QpSolverOptions { Polish = false });

        Assert.Equal(SolverStatus.Solved, solution.Status[0]);
        Assert.False(solution.Polished[0]);
        double error = ReferenceComparison.Error(planted.Z, SolutionItem.Of(solution, 0).X);
        output.WriteLine($"x error without polishing: {error:E2}");
    }

    [Fact]
    public void Gradients_AtDefaultOptions_EqualThoseAtTightTolerance()
    {
        var planted = new ProblemGenerator(63).Planted(30, 20, 8, 4);
        var weights = linspace(-1, 1, 30, dtype: ScalarType.Float64);
        Dictionary<QpArg, Tensor> Gradients(QpSolverOptions options) =>
            FiniteDifferences.Gradients(QpTensors.Single(planted.Problem), weights, options, QpTensors.AllArgs);

        var atDefault = Gradients(QpSolverOptions.Default);
        var atTight = Gradients(FiniteDifferences.Tight with { Polish = false });

        foreach (var arg in QpTensors.AllArgs)
        {
            double error = (atDefault[arg] - atTight[arg]).abs().max().item<double>() / (1 + atTight[arg].abs().max().item<double>());
            output.WriteLine($"{arg}: {error:E2}");
            Assert.True(error < 1e-9, $"gradient of {arg} differs by {error:E2}");
        }
    }

    [Fact]
    public void Solve_StaysHonest_OnDegenerateProblems()
    {
        // Weakly active rows (zero multiplier on an active constraint) and LPs at degenerate vertices: the active set of
        // the iterate may be wrong; a polished point is only taken when its residuals are smaller.
        var random = new ProblemGenerator(64);
        var items = new List<QpInstance>
        {
            random.Planted(10, 12, 4, 2, weaklyActive: 3).Problem,
            random.Planted(10, 12, 4, 2, Curvature.Zero, weaklyActive: 6).Problem,
            random.Feasible(10, 12, 2, Curvature.Zero).Problem,
        };
        var args = QpTensors.Stack(items);

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        Assert.All(solution.Status, s => Assert.Equal(SolverStatus.Solved, s));
    }
}
