using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Seeded random problems, feasible and bounded by construction, checked by the KKT certificate and against the
/// independent active-set reference (<see cref="ReferenceQpSolver"/>).
/// </summary>
public class RandomProblemTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3, 4, 0, 1, Curvature.PositiveDefinite, 101)]
    [InlineData(5, 8, 2, 4, Curvature.PositiveDefinite, 102)]
    [InlineData(10, 15, 3, 3, Curvature.PositiveDefinite, 103)]
    [InlineData(20, 30, 5, 2, Curvature.PositiveDefinite, 104)]
    [InlineData(30, 40, 8, 2, Curvature.PositiveDefinite, 105)]
    [InlineData(8, 12, 2, 3, Curvature.SingularPsd, 106)]
    [InlineData(15, 25, 4, 2, Curvature.SingularPsd, 107)]
    [InlineData(6, 10, 2, 3, Curvature.Zero, 108)]
    [InlineData(12, 24, 3, 2, Curvature.Zero, 109)]
    public void Solve_MatchesReferenceAndKktCertificate_OnRandomFeasibleProblems(int n, int m, int k, int batch, Curvature curvature, int seed)
    {
        var random = new ProblemGenerator(seed);
        var generated = Enumerable.Range(0, batch).Select(_ => random.Feasible(n, m, k, curvature)).ToList();
        var args = QpTensors.Stack(generated.Select(g => g.Problem).ToList());

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        ReferenceComparison.AssertMatches(generated, solution, output, objective: 1e-7, point: 1e-5, certificate: 1e-7);
    }

    [Theory]
    [InlineData(10, 15, 3, 3, Curvature.PositiveDefinite, 111)]
    [InlineData(25, 35, 6, 2, Curvature.PositiveDefinite, 112)]
    [InlineData(10, 20, 3, 2, Curvature.SingularPsd, 113)]
    [InlineData(10, 20, 3, 2, Curvature.Zero, 114)]
    public void Solve_MatchesReferenceClosely_WhenToleranceIsTight(int n, int m, int k, int batch, Curvature curvature, int seed)
    {
        var options = new QpSolverOptions { Tolerance = 1e-12, RelativeTolerance = 0 };
        var random = new ProblemGenerator(seed);
        var generated = Enumerable.Range(0, batch).Select(_ => random.Feasible(n, m, k, curvature)).ToList();
        var args = QpTensors.Stack(generated.Select(g => g.Problem).ToList());

        var solution = args.Solve(options);

        StatusHonesty.AssertHonest(args, solution, options);
        ReferenceComparison.AssertMatches(generated, solution, output, objective: 1e-10, point: 1e-8, certificate: 1e-11);
    }
}
