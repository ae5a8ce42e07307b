using BenchmarkDotNet.Attributes;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// The two CPU paths of the batched float64 Cholesky factorisation on 128 SPD matrices of one order: LAPACK's
/// dpotrf per matrix, and the batch-interleaved SIMD code (<see cref="InterleavedCholesky"/>) that
/// <see cref="BatchedCholesky"/> uses for orders 24-72. Each run first restores the input (copy included in both).
/// </summary>
public class CholeskyBenchmarks
{
    private const int Batch = 128;
    private Tensor _matrices = null!;
    private Tensor _work = null!;

    /// <summary>Order of the matrices.</summary>
    [Params(16, 32, 64, 100)]
    public int Order { get; set; }

    /// <summary>One thread, a seeded SPD batch and a work buffer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        var l = randn([Batch, Order, Order], dtype: ScalarType.Float64, generator: new Generator(7));
        _matrices = (l.bmm(l.transpose(1, 2)) + Order * eye(Order, dtype: ScalarType.Float64)).contiguous();
        _work = _matrices.clone();
    }

    /// <summary>LAPACK dpotrf, one call per matrix.</summary>
    [Benchmark(Baseline = true)]
    public void Lapack()
    {
        _work.copy_(_matrices);
        var data = NativeLapack.DataPointer(_work);
        long stride = (long)Order * Order * sizeof(double);
        for (long i = 0; i < Batch; i++) NativeLapack.Factor(data + (nint)(i * stride), Order, single: false);
    }

    /// <summary>Four matrices per SIMD group.</summary>
    [Benchmark]
    public unsafe void Interleaved()
    {
        _work.copy_(_matrices);
        InterleavedCholesky.Factor((double*)NativeLapack.DataPointer(_work), Batch, Order, static (groups, body) =>
        {
            for (long g = 0; g < groups; g++) body(g);
        });
    }
}
