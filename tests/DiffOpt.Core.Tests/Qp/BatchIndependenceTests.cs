using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Every item's result is independent of its batch companions: on the CPU, each item of a mixed batch (strongly
/// convex, singular Q, linear, primal infeasible) returns bit for bit what it returns when solved alone: x, both
/// duals, status and iteration count.
/// </summary>
public class BatchIndependenceTests(ITestOutputHelper output)
{
    /// <summary>n, m, k, dtype: m ≤ 2n (the Schur form can serve the strongly convex items) and m &gt; 2n (it cannot).</summary>
    public static TheoryData<int, int, int, ScalarType> Shapes => new()
    {
        { 6, 8, 2, ScalarType.Float64 },
        { 6, 8, 2, ScalarType.Float32 },
        { 4, 12, 1, ScalarType.Float64 },
        { 4, 12, 1, ScalarType.Float32 },
        { 30, 40, 5, ScalarType.Float64 },   // orders where batches of three or more use the interleaved Cholesky
    };

    [KernelPathTheory]
    [MemberData(nameof(Shapes))]
    public void Solve_ReturnsForEachItemExactlyWhatItReturnsAlone_InAMixedBatch(int n, int m, int k, ScalarType dtype)
    {
        var random = new ProblemGenerator(1201 + n + m);
        var items = new List<QpInstance>
        {
            random.Feasible(n, m, k).Problem,
            random.Feasible(n, m, k, Curvature.SingularPsd).Problem,
            random.Feasible(n, m, k).Problem,
            random.PrimalInfeasible(n, m - 2, k),
            random.Feasible(n, m, k, Curvature.Zero).Problem,
            random.Planted(n, m, Math.Min(m, n / 2), k).Problem,
        };
        AssertEachItemAsAlone(QpTensors.Stack(items, dtype), i => QpTensors.Single(items[i], dtype));
    }

    [KernelPathTheory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Solve_ReturnsForEachItemExactlyWhatItReturnsAlone_WithSharedConstraintsAndUnboundedItems(ScalarType dtype)
    {
        var mixed = MixedBatch.Create(1210);
        AssertEachItemAsAlone(mixed.Args.To(dtype), i => mixed.Alone(i).To(dtype));
    }

    [KernelPathTheory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Apply_GivesEachItemExactlyTheGradientItGetsAlone_InAMixedBatch(ScalarType dtype)
    {
        var random = new ProblemGenerator(1220);
        var items = new List<QpInstance>
        {
            random.Feasible(6, 8, 2).Problem,
            random.Feasible(6, 8, 2, Curvature.SingularPsd).Problem,
            random.PrimalInfeasible(6, 6, 2),
            random.Planted(6, 8, 3, 2).Problem,
        };
        var weights = FiniteDifferences.RandomWeights(QpTensors.Stack(items, dtype), random);
        var batch = FiniteDifferences.Gradients(QpTensors.Stack(items, dtype), weights, QpSolverOptions.Default, QpTensors.AllArgs);
        for (int i = 0; i < items.Count; i++)
        {
            var alone = FiniteDifferences.Gradients(QpTensors.Single(items[i], dtype), weights[i], QpSolverOptions.Default, QpTensors.AllArgs);
            foreach (var (arg, grad) in alone)
            {
                double difference = (batch[arg][i] - grad).abs().max().to_type(ScalarType.Float64).item<double>();
                output.WriteLine($"item {i}, {arg}: gradient difference {difference:E2}");
                Assert.True(difference == 0, $"item {i}: the gradient of {arg} differs from its gradient alone by {difference:G3}");
            }
        }
    }

    private void AssertEachItemAsAlone(QpTensors batchArgs, Func<int, QpTensors> aloneArgs)
    {
        var batch = batchArgs.Solve();
        var mismatches = new List<string>();
        for (int i = 0; i < batch.BatchSize; i++)
        {
            var alone = aloneArgs(i).Solve();
            var differences = new (string What, Tensor Batch, Tensor Alone)[]
            {
                ("x", batch.X[i], alone.X[0]),
                ("inequality duals", batch.InequalityDuals[i], alone.InequalityDuals[0]),
                ("equality duals", batch.EqualityDuals[i], alone.EqualityDuals[0]),
            }.Select(d => (d.What, Difference: (d.Batch - d.Alone).abs().max().to_type(ScalarType.Float64).item<double>())).ToList();
            string line = $"item {i}: status {batch.Status[i]} / alone {alone.Status[0]}, iterations {batch.Iterations[i]} / {alone.Iterations[0]}, "
                          + string.Join(", ", differences.Select(d => $"{d.What} {d.Difference:E2}"));
            output.WriteLine(line);
            if (batch.Status[i] != alone.Status[0] || batch.Iterations[i] != alone.Iterations[0] || differences.Any(d => d.Difference != 0))
                mismatches.Add(line);
        }
        Assert.True(mismatches.Count == 0, "Items differ from their solves alone:\n" + string.Join("\n", mismatches));
    }
}
