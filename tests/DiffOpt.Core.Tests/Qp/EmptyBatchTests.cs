using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// A batch of zero items is a valid batch: <see cref="QpSolver.Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?)"/>
/// returns an empty solution (every tensor with leading dimension 0, empty status and residual lists) and
/// <see cref="QpFunction.Apply"/> an empty z* whose gradients have the arguments' shapes (zero for shared ones).
/// </summary>
public class EmptyBatchTests
{
    /// <summary>Case name → (Q, p, G, h, A, b) with n = 3, m = 2, k = 1 and batch 0 somewhere.</summary>
    public static TheoryData<string, ScalarType> Cases => new()
    {
        { "Q and p only", ScalarType.Float64 },
        { "every argument batched", ScalarType.Float64 },
        { "every argument batched", ScalarType.Float32 },
        { "only p batched", ScalarType.Float64 },
        { "only h batched", ScalarType.Float64 },
    };

    private static Tensor?[] Arguments(string name, ScalarType dtype)
    {
        Tensor T(params long[] shape) => ones(shape, dtype);
        Tensor Eye(long batch) => eye(3, dtype: dtype).expand(batch, 3, 3).contiguous();
        return name switch
        {
            "Q and p only" => [Eye(0), T(0, 3), null, null, null, null],
            "every argument batched" => [Eye(0), T(0, 3), T(0, 2, 3), T(0, 2), T(0, 1, 3), T(0, 1)],
            "only p batched" => [eye(3, dtype: dtype), T(0, 3), T(2, 3), T(2), T(1, 3), T(1)],
            "only h batched" => [eye(3, dtype: dtype), T(3), T(2, 3), T(0, 2), T(1, 3), T(1)],
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solve_ReturnsAnEmptySolution_ForAnEmptyBatch(string name, ScalarType dtype)
    {
        var a = Arguments(name, dtype);
        long m = a[2] is null ? 0 : a[2]!.shape[^2], k = a[4] is null ? 0 : a[4]!.shape[^2];

        var solution = new QpSolver().Solve(a[0]!, a[1]!, a[2], a[3], a[4], a[5]);

        Assert.Equal([0L, 3L], solution.X.shape);
        Assert.Equal([0L, m], solution.InequalityDuals.shape);
        Assert.Equal([0L, k], solution.EqualityDuals.shape);
        Assert.All(new[] { solution.X, solution.InequalityDuals, solution.EqualityDuals }, t => Assert.Equal(dtype, t.dtype));
        Assert.Equal(0, solution.BatchSize);
        Assert.Empty(solution.Status);
        Assert.Empty(solution.Iterations);
        Assert.Empty(solution.PrimalResidual);
        Assert.Empty(solution.DualResidual);
        Assert.Empty(solution.DualityGap);
        Assert.True(solution.AllSolved);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_ReturnsAnEmptySolutionWithGradientsOfTheArgumentsShapes_ForAnEmptyBatch(string name, ScalarType dtype)
    {
        var leaves = Arguments(name, dtype).Select(t => t?.detach().clone().requires_grad_()).ToArray();

        var z = QpFunction.Apply(leaves[0]!, leaves[1]!, leaves[2], leaves[3], leaves[4], leaves[5]);
        Assert.Equal([0L, 3L], z.shape);
        Assert.Equal(dtype, z.dtype);
        z.sum().backward();

        foreach (var leaf in leaves.Where(t => t is not null))
        {
            Assert.NotNull(leaf!.grad);
            Assert.Equal(leaf.shape, leaf.grad!.shape);
            Assert.Equal(0.0, leaf.grad.numel() == 0 ? 0.0 : leaf.grad.abs().max().to_type(ScalarType.Float64).item<double>());
        }
    }
}
