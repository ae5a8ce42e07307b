using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Every item reported Solved meets the documented tolerance contract when its residuals are recomputed from the
/// returned X and duals (see <see cref="StatusHonesty"/>), across tolerance settings and problem kinds.
/// </summary>
public class ResidualHonestyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1e-6, 0.0)]
    [InlineData(1e-8, 1e-9)]
    [InlineData(1e-10, 0.0)]
    [InlineData(1e-4, 1e-3)]
    public void Solve_SolvedItemsMeetTheToleranceContract_ForEveryToleranceSetting(double tolerance, double relative)
    {
        var options = new QpSolverOptions { Tolerance = tolerance, RelativeTolerance = relative };
        var random = new ProblemGenerator(701);
        var items = new[] { Curvature.PositiveDefinite, Curvature.SingularPsd, Curvature.Zero }
            .SelectMany(c => Enumerable.Range(0, 2).Select(_ => random.Feasible(8, 12, 2, c).Problem))
            .ToList();
        var args = QpTensors.Stack(items);

        var solution = args.Solve(options);

        output.WriteLine(string.Join(", ", solution.Status.Select((s, i) =>
            $"{s} (p {solution.PrimalResidual[i]:E1}, d {solution.DualResidual[i]:E1}, gap {solution.DualityGap[i]:E1})")));
        Assert.True(solution.AllSolved);
        StatusHonesty.AssertHonest(args, solution, options);
    }

    [Fact]
    public void Solve_ScalesResidualsWithTheData_WhenProblemIsBadlyScaled()
    {
        // Rows of G scaled by 1e4 and 1e-3, p by 1e3: the contract is on the unscaled problem the caller passed.
        var random = new ProblemGenerator(702);
        var items = Enumerable.Range(0, 3).Select(_ =>
        {
            var (qp, _) = random.Feasible(6, 8, 2);
            var rowScale = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(8, i => i % 2 == 0 ? 1e4 : 1e-3);
            return qp with
            {
                G = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalVector(rowScale) * qp.G,
                H = rowScale.PointwiseMultiply(qp.H),
                P = 1e3 * qp.P,
            };
        }).ToList();
        var args = QpTensors.Stack(items);

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        Assert.True(solution.AllSolved, string.Join(", ", solution.Status));
    }

    [Fact]
    public void Solve_StopsAsInaccurate_LongBeforeTheIterationLimit_WhenTheToleranceIsBeyondReach()
    {
        // Objective terms of 1e6 and an absolute tolerance of 1e-14: rounding the iterate to double alone moves the
        // residuals by more, so no number of iterations meets it. An item whose measures stop improving ends with
        // the status its point earns (Inaccurate: within InaccurateToleranceFactor) instead of running on.
        var options = new QpSolverOptions { Tolerance = 1e-14, RelativeTolerance = 0, InaccurateToleranceFactor = 1e6, MaxIterations = 1000 };
        var random = new ProblemGenerator(703);
        var items = Enumerable.Range(0, 3).Select(_ =>
        {
            var (qp, _) = random.Feasible(8, 12, 2);
            return qp with { Q = 1e6 * qp.Q, P = 1e6 * qp.P };
        }).ToList();
        var args = QpTensors.Stack(items);

        var solution = args.Solve(options);

        output.WriteLine(string.Join(", ", solution.Status.Select((s, i) =>
            $"{s} after {solution.Iterations[i]} (p {solution.PrimalResidual[i]:E1}, d {solution.DualResidual[i]:E1}, gap {solution.DualityGap[i]:E1})")));
        Assert.All(solution.Status, status => Assert.Equal(SolverStatus.Inaccurate, status));
        Assert.All(solution.Iterations, iterations => Assert.True(iterations <= 100, $"{iterations} iterations"));
        StatusHonesty.AssertHonest(args, solution, options);
    }
}
