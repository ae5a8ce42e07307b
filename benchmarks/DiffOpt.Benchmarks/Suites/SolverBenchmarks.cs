using BenchmarkDotNet.Attributes;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>Whole solves: the forward pass alone, the backward pass alone (at a fixed solution), and both through autograd.</summary>
public class SolverBenchmarks : BatchSuite
{
    private static readonly bool[] AllNeeded = [true, true, true, true, true, true];
    private QpSolveResult _solved = null!;

    /// <summary>Makes the batch and one solved state for the backward benchmark.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateBatch();
        _solved = QpSolver.SolveCore(Problem, QpSolverOptions.Default);
        if (!_solved.Solution.AllSolved)
            throw new InvalidOperationException($"Benchmark batch not solved: {string.Join(",", _solved.Solution.Status.Distinct())}.");
    }

    /// <summary>QpSolver.Solve on the whole batch.</summary>
    [Benchmark]
    public void Solve()
    {
        using var scope = NewDisposeScope();
        new QpSolver().Solve(Data.Q, Data.P, Data.G, Data.H, Data.A, Data.B);
    }

    /// <summary>The implicit backward pass for all six inputs at the stored solution, for ∂L/∂z = w.</summary>
    [Benchmark]
    public void Backward()
    {
        using var scope = NewDisposeScope();
        QpSensitivity.Backward(_solved.State, Data.W, AllNeeded, QpSolverOptions.Default.BackwardTolerance);
    }

    /// <summary>QpFunction.Apply on leaves that require grad, then backward of sum(w * z).</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var leaves = new[] { Data.Q, Data.P, Data.G, Data.H, Data.A, Data.B }
            .Select(t => t.detach().requires_grad_(true)).ToArray();
        var z = QpFunction.Apply(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5]);
        (Data.W * z).sum().backward();
    }
}
