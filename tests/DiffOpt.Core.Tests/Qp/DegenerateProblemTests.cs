using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Problems that break textbook assumptions (strictly convex Q, independent constraints, strict complementarity):
/// linear programs, dependent equality rows, duplicated inequality rows, weakly active constraints.
/// </summary>
public class DegenerateProblemTests(ITestOutputHelper output)
{
    private const double Accuracy = 1e-6;

    [Theory]
    [InlineData(6, 0)]
    [InlineData(8, 3)]
    public void Solve_ReturnsPlantedVertex_ForLinearProgram(int n, int k)
    {
        // Q = 0 with n − k active rows and k equalities: the planted vertex and its duals are the unique solution.
        var random = new ProblemGenerator(31);
        var planted = Enumerable.Range(0, 3).Select(_ => random.Planted(n, n - k + 4, n - k, k, Curvature.Zero)).ToList();
        var args = QpTensors.Stack(planted.Select(p => p.Problem).ToList());

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        for (int i = 0; i < planted.Count; i++)
            AssertPlanted(planted[i], SolutionItem.Of(solution, i), $"item {i}");
    }

    [Fact]
    public void Solve_ReturnsAnOptimalPoint_ForLinearProgramWithAFaceOfSolutions()
    {
        // min z₀ + z₁ s.t. z ≥ 0, z₀ + z₁ ≥ 1, z₂ ≤ 2 (z₂ free otherwise with zero cost): the optimal value 1 is attained on a face.
        var q = Matrix<double>.Build.Dense(3, 3);
        var p = Vector<double>.Build.DenseOfArray([1.0, 1.0, 0.0]);
        var g = Matrix<double>.Build.DenseOfArray(new double[,] { { -1, 0, 0 }, { 0, -1, 0 }, { -1, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 } });
        var h = Vector<double>.Build.DenseOfArray([0.0, 0.0, -1.0, 2.0, 2.0]);
        var qp = new QpInstance(q, p, g, h, QpInstance.Empty(3), Vector<double>.Build.Dense(0));
        var args = QpTensors.Single(qp);

        var solution = args.Solve();

        var item = SolutionItem.Of(solution, 0);
        Assert.Equal(SolverStatus.Solved, item.Status);
        Assert.True(Math.Abs(qp.Objective(item.X) - 1.0) < 1e-7, $"objective {qp.Objective(item.X)}");
        KktCertificate.Evaluate(qp, item.X, item.Lambda, item.Nu).AssertHolds(1e-7);
        StatusHonesty.AssertHonest(args, solution);
    }

    [Theory]
    [InlineData(Curvature.PositiveDefinite, 12)]
    [InlineData(Curvature.PositiveDefinite, 0)]
    [InlineData(Curvature.SingularPsd, 12)]
    [InlineData(Curvature.Zero, 16)]
    public void Solve_MatchesProblemWithoutRedundantRows_WhenEqualityRowsAreLinearlyDependent(Curvature curvature, int m)
    {
        var random = new ProblemGenerator(32);
        var generated = Enumerable.Range(0, 2).Select(_ => random.Feasible(8, m, 3, curvature)).ToList();
        // Append a₃ = a₀ + 2a₁ and a₄ = a₂ (with consistent b): A has rank 3 but 5 rows.
        var redundant = generated.Select(g => g.Problem with { A = WithDependentRows(g.Problem.A), B = WithDependentRows(g.Problem.B) }).ToList();
        var args = QpTensors.Stack(redundant);

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        for (int i = 0; i < generated.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            KktCertificate.Evaluate(redundant[i], item.X, item.Lambda, item.Nu).AssertHolds(1e-7, $"(item {i})");
            var reference = ReferenceQpSolver.Solve(generated[i].Problem, generated[i].Z0);
            AssertOptimal(generated[i].Problem, reference, item, $"item {i}");
        }
    }

    [Fact]
    public void Solve_SplitsMultiplierOverCopies_WhenInequalityRowsAreDuplicated()
    {
        // Duplicate every row of a planted problem (active rows included): z* is unchanged and λ_i + λ_copy = λ*_i.
        var random = new ProblemGenerator(33);
        var planted = Enumerable.Range(0, 2).Select(_ => random.Planted(7, 10, 4, 2)).ToList();
        var duplicated = planted.Select(p => p.Problem with { G = p.Problem.G.Stack(p.Problem.G), H = Concat(p.Problem.H, p.Problem.H) }).ToList();
        var args = QpTensors.Stack(duplicated);

        var solution = args.Solve();

        StatusHonesty.AssertHonest(args, solution);
        for (int i = 0; i < planted.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            AssertClose(planted[i].Z, item.X, $"item {i}: z");
            AssertClose(planted[i].Lambda, item.Lambda.SubVector(0, 10) + item.Lambda.SubVector(10, 10), $"item {i}: λ + λ_copy");
            AssertClose(planted[i].Nu, item.Nu, $"item {i}: ν");
        }
    }

    [Theory]
    [InlineData(Curvature.PositiveDefinite, 0, 1e-8)]
    [InlineData(Curvature.PositiveDefinite, 2, 1e-8)]
    [InlineData(Curvature.PositiveDefinite, 2, 1e-12)]
    [InlineData(Curvature.Zero, 2, 1e-8)]
    public void Solve_ReturnsPlantedSolution_WhenConstraintsAreWeaklyActive(Curvature curvature, int k, double tolerance)
    {
        // Two rows active with zero multiplier (no strict complementarity). There an interior-point iterate with
        // residuals ε has s, λ ~ √ε on those rows, so z is only O(√ε) accurate: the bound is 10√ε, not ε.
        // For the LP, the n − k strongly active rows still pin the vertex.
        var options = new QpSolverOptions { Tolerance = tolerance, RelativeTolerance = 0 };
        var random = new ProblemGenerator(34);
        int n = 6, strongly = curvature == Curvature.Zero ? n - k : 2;
        var planted = Enumerable.Range(0, 3).Select(_ => random.Planted(n, 10, strongly, k, curvature, weaklyActive: 2)).ToList();
        var args = QpTensors.Stack(planted.Select(p => p.Problem).ToList());

        var solution = args.Solve(options);

        StatusHonesty.AssertHonest(args, solution, options);
        for (int i = 0; i < planted.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            KktCertificate.Evaluate(planted[i].Problem, item.X, item.Lambda, item.Nu).AssertHolds(10 * tolerance, $"(item {i})");
            AssertClose(planted[i].Z, item.X, $"item {i}: z", 10 * Math.Sqrt(tolerance));
        }
    }

    [Theory]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 1)]
    [InlineData(false, false, 1)]
    [InlineData(true, false, 3)]
    [InlineData(false, true, 3)]
    [InlineData(false, false, 3)]
    public void Solve_GivesSameSolution_WhetherAbsentBlocksAreNullOrZeroRowTensors(bool inequalities, bool equalities, int batch)
    {
        var random = new ProblemGenerator(35);
        var generated = Enumerable.Range(0, batch).Select(_ => random.Feasible(6, inequalities ? 9 : 0, equalities ? 2 : 0)).ToList();
        var items = generated.Select(g => g.Problem).ToList();

        var withNull = QpTensors.Stack(items, emptyAsNull: true);
        var withZeroRows = QpTensors.Stack(items, emptyAsNull: false);
        var absent = (inequalities ? [] : new[] { QpArg.G, QpArg.H }).Concat(equalities ? [] : new[] { QpArg.A, QpArg.B }).ToArray();
        var sharedZeroRows = QpTensors.Stack(items, emptyAsNull: false, shared: absent);
        if (!inequalities) Assert.Null(withNull.G);
        if (!equalities) Assert.Null(withNull.A);

        var reference = withNull.Solve();
        foreach (var args in new[] { withZeroRows, sharedZeroRows })
        {
            var solution = args.Solve();
            StatusHonesty.AssertHonest(args, solution);
            Assert.Equal(reference.X.shape, solution.X.shape);
            Assert.Equal([batch, inequalities ? 9L : 0L], solution.InequalityDuals.shape);
            Assert.Equal([batch, equalities ? 2L : 0L], solution.EqualityDuals.shape);
            for (int i = 0; i < batch; i++)
                AssertClose(SolutionItem.Of(reference, i).X, SolutionItem.Of(solution, i).X, $"item {i}: null vs zero rows", 1e-12);
        }
        ReferenceComparison.AssertMatches(generated, reference, output, objective: 1e-7, point: 1e-5, certificate: 1e-7);
    }

    private void AssertPlanted(PlantedQp planted, SolutionItem item, string what)
    {
        Assert.Equal(SolverStatus.Solved, item.Status);
        AssertClose(planted.Z, item.X, what + ": z");
        AssertClose(planted.Lambda, item.Lambda, what + ": λ");
        AssertClose(planted.Nu, item.Nu, what + ": ν");
    }

    private void AssertOptimal(QpInstance qp, ReferenceSolution reference, SolutionItem item, string what)
    {
        double objectiveError = Math.Abs(qp.Objective(item.X) - reference.Objective) / (1 + Math.Abs(reference.Objective));
        output.WriteLine($"{what}: objective rel. error {objectiveError:E2}");
        Assert.True(objectiveError < 1e-7, $"{what}: objective {qp.Objective(item.X):G12} vs reference {reference.Objective:G12}");
        if (reference.UniqueX) AssertClose(reference.X, item.X, what + ": z");
    }

    private void AssertClose(Vector<double> expected, Vector<double> actual, string what, double accuracy = Accuracy) =>
        VectorAssert.Close(expected, actual, accuracy, what, output);

    private static Matrix<double> WithDependentRows(Matrix<double> a) => a.Stack(Matrix<double>.Build.DenseOfRowVectors(a.Row(0) + 2 * a.Row(1), a.Row(2)));

    private static Vector<double> WithDependentRows(Vector<double> b) => Concat(b, Vector<double>.Build.DenseOfArray([b[0] + 2 * b[1], b[2]]));

    private static Vector<double> Concat(Vector<double> a, Vector<double> b) => Vector<double>.Build.DenseOfEnumerable(a.Concat(b));
}
