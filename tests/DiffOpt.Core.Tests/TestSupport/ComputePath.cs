using System.Runtime.CompilerServices;
using DiffOpt.Qp;
using DiffOpt.Native;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Which implementation the suite runs on the CPU: the per-item kernels (the default), or, when the environment
/// variable DIFFOPT_TEST_TENSOR_PATH is 1, the batched tensor forms that other devices (CUDA) run. The README's test
/// command runs this suite both ways, so the two paths are held to the same answers and statuses.
/// </summary>
internal static class ComputePath
{
    /// <summary>The environment variable that selects the tensor path.</summary>
    public const string Variable = "DIFFOPT_TEST_TENSOR_PATH";

    /// <summary>True when this run exercises the tensor path.</summary>
    public static bool TensorPathRequested => Environment.GetEnvironmentVariable(Variable) == "1";

    [ModuleInitializer]
    internal static void Select() => KernelSwitch.TensorPathOnly = TensorPathRequested;
}

/// <summary>A fact about the CPU kernels themselves (kernel against tensor form): skipped, and reported as skipped, on the tensor path.</summary>
internal sealed class KernelPathFactAttribute : FactAttribute
{
    public KernelPathFactAttribute()
    {
        if (ComputePath.TensorPathRequested) Skip = "compares the CPU kernels with the tensor forms; this run uses the tensor forms only";
    }
}

/// <summary>
/// A theory about the CPU kernels themselves (kernel against tensor form, or bit-for-bit results, which only the
/// per-item kernels promise: libtorch's batched routines round differently per batch shape): skipped, and reported
/// as skipped, on the tensor path.
/// </summary>
internal sealed class KernelPathTheoryAttribute : TheoryAttribute
{
    public KernelPathTheoryAttribute()
    {
        if (ComputePath.TensorPathRequested) Skip = "holds for the CPU kernels (bit for bit, or against the tensor forms); this run uses the tensor forms only";
    }
}

/// <summary>
/// A theory about the interleaved batched Cholesky kernel (<c>BatchedCholesky</c> takes it for float64 orders 24-100 when
/// 256-bit vectors are hardware accelerated): skipped where that kernel does not run, since the LAPACK path it falls back
/// to rounds by the matrices' alignment in memory, and on the tensor path.
/// </summary>
internal sealed class InterleavedCholeskyTheoryAttribute : TheoryAttribute
{
    public InterleavedCholeskyTheoryAttribute()
    {
        if (ComputePath.TensorPathRequested) Skip = "holds for the CPU kernels (bit for bit, or against the tensor forms); this run uses the tensor forms only";
        else if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Skip = "the interleaved Cholesky kernel needs 256-bit vectors; LAPACK, used instead, rounds by the matrices' alignment";
    }
}
