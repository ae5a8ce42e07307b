using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// The CPU paths of the batched float64 Cholesky routines on 128 SPD matrices of one order, 1 thread. Factor:
/// LAPACK's dpotrf per matrix against the batch-interleaved SIMD code (<see cref="InterleavedCholesky"/>) that
/// <see cref="BatchedCholesky"/> uses for orders 24-100. Solve (one right-hand side per item, as in every Newton
/// step): LAPACK's dpotrs per item against the managed substitution (<see cref="CholeskySolveKernel"/>). Each run
/// first restores its input (copy included on both sides).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CholeskyBenchmarks
{
    private const int Batch = 128;
    private Tensor _matrices = null!;
    private Tensor _work = null!;
    private Tensor _factor = null!;
    private Tensor _rhs = null!;
    private Tensor _solution = null!;

    /// <summary>Order of the matrices.</summary>
    [Params(10, 16, 32, 50, 64, 100)]
    public int Order { get; set; }

    /// <summary>One thread, a seeded SPD batch, its factors, right-hand sides and work buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        var l = randn([Batch, Order, Order], dtype: ScalarType.Float64, generator: new Generator(7));
        _matrices = (l.bmm(l.transpose(1, 2)) + Order * eye(Order, dtype: ScalarType.Float64)).contiguous();
        _work = _matrices.clone();
        _factor = linalg.cholesky(_matrices).contiguous();
        _rhs = randn([Batch, Order], dtype: ScalarType.Float64, generator: new Generator(8));
        _solution = _rhs.clone();
    }

    /// <summary>LAPACK dpotrf, one call per matrix.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Factor")]
    public void Lapack()
    {
        _work.copy_(_matrices);
        var data = NativeLapack.DataPointer(_work);
        long stride = (long)Order * Order * sizeof(double);
        for (long i = 0; i < Batch; i++) NativeLapack.Factor(data + (nint)(i * stride), Order, single: false);
    }

    /// <summary>Four matrices per SIMD group.</summary>
    [Benchmark, BenchmarkCategory("Factor")]
    public unsafe void Interleaved()
    {
        _work.copy_(_matrices);
        InterleavedCholesky.Factor((double*)NativeLapack.DataPointer(_work), Batch, Order, static (groups, body) =>
        {
            for (long g = 0; g < groups; g++) body(g);
        });
    }

    /// <summary>LAPACK dpotrs, one call per item.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Solve")]
    public void LapackSolve()
    {
        _solution.copy_(_rhs);
        var factor = NativeLapack.DataPointer(_factor);
        var rhs = NativeLapack.DataPointer(_solution);
        long factorStride = (long)Order * Order * sizeof(double), rhsStride = (long)Order * sizeof(double);
        for (long i = 0; i < Batch; i++)
            NativeLapack.Solve(factor + (nint)(i * factorStride), Order, rhs + (nint)(i * rhsStride), 1, single: false);
    }

    /// <summary>The managed substitution, one item at a time.</summary>
    [Benchmark, BenchmarkCategory("Solve")]
    public unsafe void ManagedSolve()
    {
        _solution.copy_(_rhs);
        var factor = (double*)NativeLapack.DataPointer(_factor);
        var rhs = (double*)NativeLapack.DataPointer(_solution);
        for (long i = 0; i < Batch; i++)
            CholeskySolveKernel.SolveInPlace(factor + i * Order * Order, Order, rhs + i * Order);
    }
}
