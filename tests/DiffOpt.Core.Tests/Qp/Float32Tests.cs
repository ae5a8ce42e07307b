using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>float32 inputs: solved in float32 on the inputs' device, with looser accuracy than float64.</summary>
public class Float32Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Curvature.PositiveDefinite, 8, 12, 2, 501)]
    [InlineData(Curvature.PositiveDefinite, 20, 30, 5, 502)]
    [InlineData(Curvature.SingularPsd, 10, 16, 3, 503)]
    [InlineData(Curvature.Zero, 8, 16, 2, 504)]
    public void Solve_ReturnsFloat32SolutionCloseToFloat64_ForFloat32Inputs(Curvature curvature, int n, int m, int k, int seed)
    {
        var random = new ProblemGenerator(seed);
        var generated = Enumerable.Range(0, 3).Select(_ => random.Feasible(n, m, k, curvature)).ToList();
        var items = generated.Select(g => g.Problem).ToList();
        var args32 = QpTensors.Stack(items, ScalarType.Float32);

        var solution = args32.Solve();

        foreach (var t in new[] { solution.X, solution.InequalityDuals, solution.EqualityDuals })
        {
            Assert.Equal(ScalarType.Float32, t.dtype);
            Assert.Equal(args32.Q.device_type, t.device_type);
            Assert.Equal(args32.Q.device_index, t.device_index);
        }
        StatusHonesty.AssertHonest(args32, solution);
        for (int i = 0; i < items.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            // The float64 reference: rounding the data to float32 perturbs it by ~6e-8 relative, far below these bounds.
            var exact = ReferenceQpSolver.Solve(items[i], generated[i].Z0);
            double objectiveError = Math.Abs(items[i].Objective(item.X) - exact.Objective) / (1 + Math.Abs(exact.Objective));
            output.WriteLine($"item {i}: objective rel. error {objectiveError:E2}, unique {exact.UniqueX}");
            Assert.True(objectiveError <= 1e-4, $"item {i}: objective error {objectiveError:G3}");
            if (exact.UniqueX) VectorAssert.Close(exact.X, item.X, 1e-3, $"item {i}: float32 z vs reference", output);
        }
    }

    /// <summary>
    /// The float32 accuracy the library states (<see cref="QpSolverOptions"/>): on well-conditioned, nondegenerate
    /// problems every gradient is within 1e-3 of the float64 one, relative to the largest float64 entry (an exactly zero
    /// float64 entry included).
    /// </summary>
    [Theory]
    [InlineData(505, 8, 12, 3, 2)]
    [InlineData(506, 20, 15, 6, 4)]
    [InlineData(507, 40, 30, 12, 5)]
    [InlineData(508, 12, 30, 8, 1)]
    [InlineData(509, 30, 10, 4, 10)]
    public void Apply_ReturnsFloat32GradientsCloseToFloat64_ForFloat32Inputs(int seed, int n, int m, int active, int k)
    {
        var random = new ProblemGenerator(seed);
        var planted = Enumerable.Range(0, 3).Select(_ => random.Planted(n, m, active, k)).ToList();
        var point64 = QpTensors.Stack(planted.Select(p => p.Problem).ToList());
        var point32 = point64.To(ScalarType.Float32);
        var weights = FiniteDifferences.RandomWeights(point64, random);

        var grads64 = FiniteDifferences.Gradients(point64, weights, QpSolverOptions.Default, QpTensors.AllArgs);
        var grads32 = FiniteDifferences.Gradients(point32, weights.to(ScalarType.Float32), QpSolverOptions.Default, QpTensors.AllArgs);

        foreach (var arg in QpTensors.AllArgs)
        {
            Assert.Equal(ScalarType.Float32, grads32[arg].dtype);
            double scale = grads64[arg].abs().max().item<double>();
            double error = (grads32[arg].to(ScalarType.Float64) - grads64[arg]).abs().max().item<double>() / Math.Max(scale, 1e-3);
            output.WriteLine($"{arg}: float32 vs float64 gradient, relative error {error:E2}");
            Assert.True(error <= 1e-3, $"{arg}: float32 gradient off by {error:G3} (relative to max |float64 gradient|)");
        }
    }

    [Fact]
    public void Solve_KeepsSolvableItemsAndNeverClaimsFailedOnesSolved_ForFloat32BatchWithInfeasibleItems()
    {
        // The exact statuses of the failed items are covered by the skipped detection test in InfeasibilityTests.
        var batch = MixedBatch.Create(506);
        var args32 = batch.Args.To(ScalarType.Float32);

        var solution = args32.Solve(new QpSolverOptions { MaxIterations = 60 });

        output.WriteLine(string.Join(", ", solution.Status));
        foreach (int i in Enumerable.Range(0, batch.Items.Count))
            Assert.Equal(batch.Solvable.Contains(i), solution.Status[i].HasSolution());
        StatusHonesty.AssertHonest(args32, solution, new QpSolverOptions { MaxIterations = 60 }, batch.Items);
        var z = args32.Leaves(QpArg.P).Apply();
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.True(isfinite(z).all().item<bool>());
    }

    [Fact]
    public void Solve_AcceptsFloat32Inputs_WithoutConstraints()
    {
        var solution = new QpSolver().Solve(eye(2, dtype: ScalarType.Float32), ones(2, dtype: ScalarType.Float32), null, null, null, null);

        Assert.True(solution.AllSolved);
        Assert.Equal(ScalarType.Float32, solution.X.dtype);
        Assert.Equal(-1.0, solution.X[0, 0].item<float>(), 5);
    }
}
