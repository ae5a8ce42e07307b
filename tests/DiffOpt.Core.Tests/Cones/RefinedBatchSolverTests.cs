using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>The batched dense solve behind the cone-program derivative: refinement, residuals, the least-squares fallback.</summary>
public class RefinedBatchSolverTests(ITestOutputHelper output)
{
    /// <summary>
    /// Wilkinson's matrix of order n: 1 on the diagonal, −1 below it, 1 in the last column. Partial pivoting does not
    /// pivot, and the last column grows to 2ⁿ⁻¹, so a plain LU solve loses about n − 1 bits.
    /// </summary>
    private static Tensor Wilkinson(int n)
    {
        var a = eye(n, dtype: ScalarType.Float64) - ones(n, n, dtype: ScalarType.Float64).tril(-1);
        a.select(1, n - 1).FillInPlace(1.0);
        return a;
    }

    private static Tensor RandomBatch(ProblemGenerator random, params long[] shape) =>
        tensor(Enumerable.Range(0, (int)shape.Aggregate((x, y) => x * y)).Select(_ => random.Normal()).ToArray(), shape, ScalarType.Float64);

    [Fact]
    public void Solve_RefinesOnce_WhereThePlainLuSolveIsInaccurate()
    {
        const int n = 40;
        var matrix = Wilkinson(n).unsqueeze(0);
        var rhs = RandomBatch(new ProblemGenerator(1001), 1, n);
        var (lu, pivots) = linalg.lu_factor(matrix);
        var plain = linalg.lu_solve(lu, pivots!, rhs.unsqueeze(2)).squeeze(2);
        double plainResidual = ((matrix.matmul(plain.unsqueeze(2)).squeeze(2) - rhs).abs().max() / rhs.abs().max()).item<double>();

        var (solution, residual) = new RefinedBatchSolver(matrix).Solve(rhs, transpose: false);
        double measured = ((matrix.matmul(solution.unsqueeze(2)).squeeze(2) - rhs).abs().max() / rhs.abs().max()).item<double>();
        output.WriteLine($"relative residual: plain LU {plainResidual:E2}, refined once {residual.item<double>():E2} (recomputed {measured:E2})");
        Assert.True(plainResidual >= 1e-8, $"the fixture should defeat plain LU: {plainResidual:G3}");
        Assert.True(residual.item<double>() <= 1e-3 * plainResidual, "one refinement step must cut the residual a thousandfold");
        Assert.Equal(measured, residual.item<double>(), 1e-20);
    }

    [Fact]
    public void Solve_UsesTheMinimumNormLeastSquaresSolution_ForSingularItemsOnly()
    {
        var random = new ProblemGenerator(1002);
        var matrices = RandomBatch(random, 3, 5, 5);
        matrices[1].select(1, 4).copy_(matrices[1].select(1, 0).Plus(matrices[1].select(1, 2))); // rank 4
        var rhs = RandomBatch(random, 3, 5);
        var solver = new RefinedBatchSolver(matrices);
        Assert.Equal(new[] { false, true, false }, solver.Singular.data<bool>().ToArray());
        foreach (bool transpose in new[] { false, true })
        {
            var (solution, residual) = solver.Solve(rhs, transpose);
            var m = transpose ? matrices.transpose(1, 2) : matrices;
            var expected = linalg.pinv(m[1]).matmul(rhs[1]);
            double error = (solution[1] - expected).abs().max().item<double>();
            output.WriteLine($"transpose {transpose}: singular item vs pinv {error:E2}; residuals {string.Join(", ", residual.data<double>().ToArray().Select(r => r.ToString("E2")))}");
            Assert.True(error <= 1e-12, $"least-squares solution off by {error:G3}");
            Assert.True(residual[0].item<double>() <= 1e-14 && residual[2].item<double>() <= 1e-14);
            Assert.True(residual[1].item<double>() > 1e-3, "a generic right-hand side is outside a singular J's range");
        }
    }
}
