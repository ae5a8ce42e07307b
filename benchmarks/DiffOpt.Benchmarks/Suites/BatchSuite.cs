using BenchmarkDotNet.Attributes;
using DiffOpt.Qp;
using TorchSharp;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>What every suite shares: the batch shape parameter, one seeded batch and its validated problem, 1 torch thread.</summary>
public abstract class BatchSuite
{
    /// <summary>Batch size, variables, inequalities, equalities as BxNxMxP.</summary>
    [Params("128x100x100x20")]
    public string Shape { get; set; } = "128x100x100x20";

    /// <summary>The batch (made by <see cref="CreateBatch"/>).</summary>
    private protected RandomQpBatch Data { get; private set; } = null!;

    /// <summary>The validated, broadcast problem of <see cref="Data"/>.</summary>
    private protected QpProblem Problem { get; private set; } = null!;

    /// <summary>Sets 1 torch thread and makes the batch for <see cref="Shape"/>; call first in each suite's setup.</summary>
    private protected (int B, int N, int M, int P) CreateBatch()
    {
        torch.set_num_threads(1);
        var shape = SuiteShape.Parse(Shape);
        Data = RandomQpBatch.Create(shape.B, shape.N, shape.M, shape.P);
        Problem = QpProblem.Create(Data.Q, Data.P, Data.G, Data.H, Data.A, Data.B);
        return shape;
    }
}
