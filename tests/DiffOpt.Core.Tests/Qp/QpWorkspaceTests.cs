using DiffOpt.Layers;
using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// <see cref="QpWorkspace"/>: calls that reuse its buffers give the results of fresh solves, solutions and gradients,
/// and a result whose backward pass has not run yet keeps its buffers when the same workspace solves again.
/// </summary>
/// <remarks>
/// "The same" is up to rounding (1e-11 of the largest entry): MKL's results depend in their last bits on the memory
/// alignment of its operands unless its conditional numerical reproducibility is on, and a kept buffer and a fresh one
/// are aligned differently (in the full suite pooled and fresh solutions differed by 3.4e-15 in 1 of 2 runs with
/// bitwise comparisons). A buffer overwritten while a result still reads it moves results by O(1). MKL also runs on
/// the test's own thread only, so other tests' use of its threads does not split its products differently.
/// </remarks>
public sealed class QpWorkspaceTests : IDisposable
{
    private readonly int _mklThreads = NativeBlas.SetThreadsOfThisThread(1);

    public void Dispose() => NativeBlas.SetThreadsOfThisThread(_mklThreads);

    /// <summary>Equal shapes and entries up to rounding: |a − b| ≤ 1e-11·max(1, max |b|).</summary>
    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && (a - b).abs().max().item<double>() <= 1e-11 * Math.Max(1, b.abs().max().item<double>());

    // B·n·n float64 = 2.56 MB: every kept buffer is used, the two products included (from FreshPages.MinimumBytes).
    private const int Batch = 32, N = 100, M = 100, P = 20;

    /// <summary>
    /// A batch with a planted solution z₀: Q = LLᵀ + 0.1I, about a third of the inequality rows active (multiplier in
    /// [0.1, 1.1], slack 0), the others inactive (slack in [0.1, 1.1]), equalities through z₀, p from stationarity.
    /// </summary>
    private static Tensor[] Problem(int seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        Tensor Normal(params long[] shape) => randn(shape, ScalarType.Float64, generator: generator);
        Tensor Uniform(params long[] shape) => rand(shape, ScalarType.Float64, generator: generator);
        var l = Normal(Batch, N, N).DividedBy(Math.Sqrt(N));
        var q = l.matmul(l.transpose(-1, -2)).Plus(eye(N, dtype: ScalarType.Float64).Times(0.1));
        var g = Normal(Batch, M, N);
        var a = Normal(Batch, P, N);
        var z0 = Normal(Batch, N);
        var active = Uniform(Batch, M).LessThan(1.0 / 3);
        var slack = where(active, zeros(Batch, M, dtype: ScalarType.Float64), Uniform(Batch, M).Plus(0.1));
        var lambda = where(active, Uniform(Batch, M).Plus(0.1), zeros(Batch, M, dtype: ScalarType.Float64));
        var nu = Normal(Batch, P);
        Tensor Times(Tensor matrix, Tensor vector) => matrix.matmul(vector.unsqueeze(-1)).squeeze(-1);
        var p = -Times(q, z0).Plus(Times(g.transpose(-1, -2), lambda)).Plus(Times(a.transpose(-1, -2), nu));
        return [q, p, g, Times(g, z0).Plus(slack), a, Times(a, z0)];
    }

    private static Tensor[] Leaves(Tensor[] data) => data.Select(t => t.clone().requires_grad_()).ToArray();

    private static Tensor Apply(Tensor[] leaves, QpWorkspace? workspace) =>
        QpFunction.Apply(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5], workspace: workspace);

    /// <summary>z* and the gradients of Σ w·z* with respect to every argument.</summary>
    private static Tensor[] Differentiate(Tensor[] leaves, Tensor z, Tensor weights)
    {
        (weights * z).sum().backward();
        return [z.detach().clone(), .. leaves.Select(leaf => leaf.grad!.clone())];
    }

    private static Tensor[] Fresh(Tensor[] data, Tensor weights)
    {
        var leaves = Leaves(data);
        return Differentiate(leaves, Apply(leaves, workspace: null), weights);
    }

    private static void AssertSame(Tensor[] expected, Tensor[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Same(expected[i], actual[i]), $"output {i} differs by {(expected[i] - actual[i]).abs().max().item<double>()}");
    }

    [Fact]
    public void LayerCalls_ThatReuseTheBuffers_GiveTheResultsOfFreshSolves()
    {
        var weights = randn(Batch, N, ScalarType.Float64, generator: new TorchSharp.torch.Generator(7));
        var problems = new[] { Problem(1), Problem(2) };
        var pooled = new List<Tensor[]>();
        using var layer = new QpLayer();
        foreach (var data in problems)
        {
            // The scope ends each call as a training step would, handing the buffers back to the layer's workspace.
            using var scope = NewDisposeScope();
            var leaves = Leaves(data);
            var outputs = Differentiate(leaves, layer.forward(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5]), weights);
            scope.MoveToOuter(outputs);
            pooled.Add(outputs);
        }

        Assert.Equal(1, layer.Workspace.Reuses);
        for (int k = 0; k < problems.Length; k++) AssertSame(Fresh(problems[k], weights), pooled[k]);
    }

    [Fact]
    public void PendingBackwardState_KeepsItsBuffers_WhenTheWorkspaceSolvesAgain()
    {
        var weights = randn(Batch, N, ScalarType.Float64, generator: new TorchSharp.torch.Generator(8));
        var (first, second) = (Problem(3), Problem(4));
        using var workspace = new QpWorkspace();
        using (NewDisposeScope())
            Apply(Leaves(Problem(5)), workspace); // leaves buffers in the workspace

        var firstLeaves = Leaves(first);
        var firstZ = Apply(firstLeaves, workspace); // takes the kept buffers; its backward state reads them
        var secondLeaves = Leaves(second);
        var secondZ = Apply(secondLeaves, workspace); // must not take them
        var secondOutputs = Differentiate(secondLeaves, secondZ, weights);
        var firstOutputs = Differentiate(firstLeaves, firstZ, weights);

        Assert.Equal(1, workspace.Reuses);
        AssertSame(Fresh(first, weights), firstOutputs);
        AssertSame(Fresh(second, weights), secondOutputs);
    }

    [Fact]
    public void SolverWithWorkspace_ReusesItsBuffersAtOnce_AndGivesTheResultsOfFreshSolves()
    {
        using var workspace = new QpWorkspace();
        var solver = new QpSolver(null, workspace);
        var fresh = new QpSolver();
        foreach (var seed in new[] { 6, 7 })
        {
            var d = Problem(seed);
            var (kept, made) = (solver.Solve(d[0], d[1], d[2], d[3], d[4], d[5]), fresh.Solve(d[0], d[1], d[2], d[3], d[4], d[5]));
            AssertSame([made.X, made.InequalityDuals, made.EqualityDuals], [kept.X, kept.InequalityDuals, kept.EqualityDuals]);
        }
        // No dispose scope ended in between: the solver hands its buffers back as it returns.
        Assert.Equal(1, workspace.Reuses);
    }

    [Fact]
    public void DisposedLayer_KeepsNoBuffers_AndSolvesWithFreshMemory()
    {
        var data = Problem(9);
        var layer = new QpLayer();
        using (NewDisposeScope()) layer.forward(data[0], data[1], data[2], data[3], data[4], data[5]);
        Assert.Equal(1, layer.Workspace.KeptShapes);

        layer.Dispose();

        Assert.Equal(0, layer.Workspace.KeptShapes);
        var z = QpFunction.Apply(data[0], data[1], data[2], data[3], data[4], data[5], workspace: layer.Workspace);
        Assert.True(Same(new QpSolver().Solve(data[0], data[1], data[2], data[3], data[4], data[5]).X, z));
    }
}
