using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>Infeasible and unbounded items: honest per-item status, no damage to the rest of the batch, zero gradient.</summary>
public class InfeasibilityTests(ITestOutputHelper output)
{
    [Fact]
    public void Solve_ReturnsPrimalInfeasible_WhenInequalitiesContradict()
    {
        // z₀ ≤ −1 and −z₀ ≤ −1.
        var qp = Problem(Matrix<double>.Build.DenseIdentity(3), [1.0, 0, 0],
            g: new double[,] { { 1, 0, 0 }, { -1, 0, 0 } }, h: [-1.0, -1.0]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.PrimalInfeasible);
    }

    [Fact]
    public void Solve_ReturnsPrimalInfeasible_WhenEqualitiesAreInconsistent()
    {
        // z₀ + z₁ = 1 and 2z₀ + 2z₁ = 3, no inequalities.
        var qp = Problem(Matrix<double>.Build.DenseIdentity(3), [0.0, 1, 0],
            a: new double[,] { { 1, 1, 0 }, { 2, 2, 0 } }, b: [1.0, 3.0]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.PrimalInfeasible);
    }

    [Fact]
    public void Solve_ReturnsPrimalInfeasible_WhenEqualitiesContradictInequalities()
    {
        // z₀ + z₁ = 2 with z₀ ≤ 0.5, z₁ ≤ 0.5, for a linear program.
        var qp = Problem(Matrix<double>.Build.Dense(2, 2), [1.0, -1.0],
            g: new double[,] { { 1, 0 }, { 0, 1 } }, h: [0.5, 0.5], a: new double[,] { { 1, 1 } }, b: [2.0]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.PrimalInfeasible);
    }

    [Fact]
    public void Solve_ReturnsDualInfeasible_WhenLinearObjectiveIsUnboundedBelow()
    {
        // min −z₀ s.t. z₁ − z₀ ≤ 0, −z₁ ≤ 0 (Q = 0): the ray (1, 0) stays feasible and lowers the cost by 1 per unit.
        var qp = Problem(Matrix<double>.Build.Dense(2, 2), [-1.0, 0.0],
            g: new double[,] { { -1, 1 }, { 0, -1 } }, h: [0.0, 0.0]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.DualInfeasible);
    }

    [Fact]
    public void Solve_ReturnsDualInfeasible_WhenUnconstrainedLinearProgram()
    {
        var qp = Problem(Matrix<double>.Build.Dense(3, 3), [1.0, -2.0, 0.5]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.DualInfeasible);
    }

    [Fact]
    public void Solve_ReturnsDualInfeasible_WhenSingularQLeavesADescentDirection()
    {
        // Q = diag(1, 1, 0), p = (0, 0, 1), z₀ ≤ 1, z₀ = z₁: the ray (0, 0, −1) has Qd = 0, is feasible and descends.
        var qp = Problem(Matrix<double>.Build.DenseOfDiagonalArray([1.0, 1.0, 0.0]), [0.0, 0.0, 1.0],
            g: new double[,] { { 1, 0, 0 } }, h: [1.0], a: new double[,] { { 1, -1, 0 } }, b: [0.0]);
        AssertStatus(QpTensors.Single(qp), SolverStatus.DualInfeasible);
    }

    [Fact]
    public void Solve_SolvesOtherItemsAsWhenAlone_WhenBatchHasInfeasibleAndUnboundedItems()
    {
        var batch = MixedBatch.Create(41);
        var args = batch.Args;

        var solution = args.Solve();

        Assert.Equal(batch.Expected, solution.Status);
        StatusHonesty.AssertHonest(args, solution);
        foreach (int i in batch.Solvable)
        {
            // The KKT form is chosen per batch (an unbounded item with singular Q changes it), so the arithmetic may
            // differ from a solve alone; the solutions must agree to solver accuracy and match the reference.
            var alone = batch.Alone(i).Solve();
            var together = SolutionItem.Of(solution, i);
            var single = SolutionItem.Of(alone, 0);
            Assert.Equal(SolverStatus.Solved, single.Status);
            double difference = Math.Max(ReferenceComparison.Error(single.X, together.X),
                Math.Max(ReferenceComparison.Error(single.Lambda, together.Lambda), ReferenceComparison.Error(single.Nu, together.Nu)));
            output.WriteLine($"item {i}: batched vs alone, largest relative difference {difference:E2} " +
                $"(iterations {solution.Iterations[i]} vs {alone.Iterations[0]})");
            Assert.True(difference <= 1e-7, $"item {i}: batched and alone differ by {difference:G3}");
            var exact = ReferenceQpSolver.Solve(batch.Items[i], FeasibilityOracle.LeastViolation(batch.Items[i]).Point);
            VectorAssert.Close(exact.X, together.X, 1e-6, $"item {i}: batched vs reference", output);
        }
    }

    [Fact]
    public void Apply_GivesZeroGradientToFailedItems_AndSharedGradientFromSolvedItemsOnly()
    {
        var batch = MixedBatch.Create(42);
        var random = new ProblemGenerator(43);
        var weights = FiniteDifferences.RandomWeights(batch.Args, random);

        var grads = FiniteDifferences.Gradients(batch.Args, weights, QpSolverOptions.Default, QpTensors.AllArgs);

        foreach (var (arg, grad) in grads)
            Assert.True(torch.isfinite(grad).all().item<bool>(), $"non-finite gradient for {arg}");
        foreach (int i in Enumerable.Range(0, batch.Items.Count).Except(batch.Solvable))
            foreach (var arg in new[] { QpArg.Q, QpArg.P, QpArg.H, QpArg.B })
                Assert.Equal(0.0, grads[arg][i].abs().max().item<double>());

        // Shared G and A: the batch gradient is the sum of the solvable items' gradients computed alone.
        foreach (var arg in new[] { QpArg.G, QpArg.A })
        {
            var sum = batch.Solvable
                .Select(i => FiniteDifferences.Gradients(batch.Alone(i), weights[i].unsqueeze(0), QpSolverOptions.Default, arg)[arg])
                .Aggregate((x, y) => x.Plus(y));
            double difference = (sum - grads[arg]).abs().max().item<double>() / (1 + sum.abs().max().item<double>());
            output.WriteLine($"{arg}: shared gradient vs sum over solvable items, relative difference {difference:E2}");
            // Solutions agree to solver accuracy only (see above), so the gradients agree to ~1e-8, not to rounding.
            Assert.True(difference <= 1e-6, $"{arg}: {difference:G3}");
            Assert.True(sum.abs().max().item<double>() > 1e-3, "the shared gradient should not be trivially zero");
        }
    }

    [Fact]
    public void Solve_ThrowsSolveFailedException_WhenThrowOnFailureAndAnItemFails()
    {
        var batch = MixedBatch.Create(44);
        var args = batch.Args;
        var options = new QpSolverOptions { ThrowOnFailure = true };

        var fromSolve = Assert.Throws<SolveFailedException>(() => args.Solve(options));
        var fromApply = Assert.Throws<SolveFailedException>(() => args.Apply(options));

        foreach (var exception in new[] { fromSolve, fromApply })
        {
            Assert.Equal(batch.Expected, exception.Status);
            Assert.Contains("item 1: PrimalInfeasible", exception.Message);
            Assert.Contains("item 3: DualInfeasible", exception.Message);
        }
        var solvable = QpTensors.Single(batch.Items[0]);
        Assert.True(solvable.Solve(options).AllSolved);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Solve_NeverReportsSolved_AndCertifiesInfeasibleStatuses_OnRandomInfeasibleBatches(ScalarType dtype)
    {
        // Whatever the detection rate (see the skipped test below), an infeasible or unbounded item must never be
        // reported Solved or Inaccurate, and every PrimalInfeasible / DualInfeasible must carry a valid certificate.
        var random = new ProblemGenerator(45);
        // 60 iterations keep the test fast; the undetected items stop at MaxIterations either way.
        var options = new QpSolverOptions { MaxIterations = 60 };
        var primal = Enumerable.Range(0, 10).Select(i => random.PrimalInfeasible(5, 8, 1, i % 2 == 0 ? 1 : 10)).ToList();
        var unbounded = Enumerable.Range(0, 10).Select(_ => random.Unbounded(5, 8, 1)).ToList();

        foreach (var (items, expected) in new[] { (primal, SolverStatus.PrimalInfeasible), (unbounded, SolverStatus.DualInfeasible) })
        {
            var args = QpTensors.Stack(items, dtype);
            var solution = args.Solve(options);
            output.WriteLine($"{expected}: " + string.Join(", ", solution.Status.GroupBy(s => s).Select(g => $"{g.Key} × {g.Count()}")));
            Assert.All(solution.Status, s => Assert.False(s.HasSolution(), $"an infeasible item was reported {s}"));
            Assert.All(solution.Status, s => Assert.True(s == expected || !s.IsInfeasible(), $"expected {expected}, got {s}"));
            StatusHonesty.AssertHonest(args, solution, options, items);
        }
    }

    [Fact]
    public void Solve_NeverSpendsMoreThanMaxIterations_OnInfeasibleItems()
    {
        var options = new QpSolverOptions { MaxIterations = 40 };
        var random = new ProblemGenerator(47);
        // Q ≻ 0 throughout, so the batch starts in the fast KKT form and stalled items are re-solved by the fallback.
        var items = Enumerable.Range(0, 12).Select(i => random.PrimalInfeasible(5, 8, 1, i % 2 == 0 ? 1 : 10)).ToList();

        var solution = QpTensors.Stack(items).Solve(options);

        output.WriteLine("iterations " + string.Join(", ", solution.Iterations));
        Assert.All(solution.Iterations, it => Assert.InRange(it, 1, options.MaxIterations));
    }

    [Fact]
    public void Solve_DetectsInfeasibility_OnEveryInfeasibleItem()
    {
        var tiny = QpTensors.Single(Problem(Matrix<double>.Build.DenseIdentity(2), [-10.0, 0.0],
            g: new double[,] { { 1, 0 }, { -1, 0 } }, h: [-1.0, -1.0]));
        Assert.Equal(SolverStatus.PrimalInfeasible, tiny.Solve().Status[0]);

        var random = new ProblemGenerator(46);
        var primal = Enumerable.Range(0, 40).Select(i => random.PrimalInfeasible(5, 8, 1, i % 2 == 0 ? 1 : 10)).ToList();
        var unbounded = Enumerable.Range(0, 40).Select(_ => random.Unbounded(5, 8, 1)).ToList();
        Assert.All(QpTensors.Stack(primal).Solve().Status, s => Assert.Equal(SolverStatus.PrimalInfeasible, s));
        Assert.All(QpTensors.Stack(unbounded).Solve().Status, s => Assert.Equal(SolverStatus.DualInfeasible, s));

        var mixed = MixedBatch.Create(506);
        Assert.Equal(mixed.Expected, mixed.Args.Solve().Status);
        Assert.Equal(mixed.Expected, mixed.Args.To(ScalarType.Float32).Solve().Status);
    }

    private void AssertStatus(QpTensors args, SolverStatus expected)
    {
        var solution = args.Solve();
        output.WriteLine($"status {solution.Status[0]} after {solution.Iterations[0]} iterations");
        Assert.Equal(expected, solution.Status[0]);
        StatusHonesty.AssertHonest(args, solution);
    }

    private static QpInstance Problem(Matrix<double> q, double[] p, double[,]? g = null, double[]? h = null, double[,]? a = null, double[]? b = null)
    {
        int n = q.ColumnCount;
        return new QpInstance(q, Vector<double>.Build.DenseOfArray(p),
            g is null ? QpInstance.Empty(n) : Matrix<double>.Build.DenseOfArray(g), Vector<double>.Build.DenseOfArray(h ?? []),
            a is null ? QpInstance.Empty(n) : Matrix<double>.Build.DenseOfArray(a), Vector<double>.Build.DenseOfArray(b ?? []));
    }
}
