using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Batched Cholesky factorisation and solves for the KKT systems. The factor of a (B,k,k) batch is a (B,k,k)
/// tensor whose lower triangle holds L with A = LLᵀ (the strict upper triangle is unspecified); a shared matrix
/// (batch 1) has a shared factor that solves all B right-hand sides in one call. On CPU, float32 and float64 go
/// straight to LAPACK (<see cref="NativeLapack"/>) or to the managed kernels (<see cref="InterleavedCholesky"/>,
/// <see cref="CholeskySolveKernel"/> for one right-hand side per item), which saves libtorch's per-matrix dispatch
/// cost on the small matrices of a batch; elsewhere libtorch's batched routines are used. Items whose matrix is not positive
/// definite are reported and get the identity as factor, so that solves stay finite.
/// </summary>
internal static class BatchedCholesky
{
    /// <summary>Factorises every matrix; <paramref name="overwrite"/> allows reusing the memory of a contiguous input.</summary>
    public static (Tensor Factor, Tensor Failed) Factor(Tensor matrices, bool overwrite = false)
    {
        if (!NativeLapack.Serves(matrices))
        {
            var (factor, info) = linalg.cholesky_ex(matrices);
            var failed = info.NotEqualTo(0L);
            if (failed.any().item<bool>())
                factor = where(failed.view(-1, 1, 1), Identity(matrices), factor);
            return (factor, failed);
        }

        var a = overwrite && matrices.is_contiguous() ? matrices : matrices.contiguous().clone();
        long batch = a.size(0);
        int n = (int)a.size(-1);
        bool single = a.dtype == ScalarType.Float32;
        long stride = (long)n * n * a.ElementSize;
        var basePointer = NativeLapack.DataPointer(a);
        bool[] failures;
        if (UseInterleaved(a.dtype, n))
            failures = InterleavedFactor(basePointer, batch, n);
        else
        {
            failures = new bool[batch];
            BatchParallel.ForEachItem(batch, i => failures[i] = n > 0 && NativeLapack.Factor(basePointer + (nint)(i * stride), n, single) != 0);
        }
        GC.KeepAlive(a);
        return WithIdentityWhereFailed(a, failures);
    }

    /// <summary>
    /// Factorises matrices (B|1,k,k) + diag(shift) for a (B,k) shift into <paramref name="destination"/> (B,k,k,
    /// contiguous), as <see cref="Factor"/> does: on the CPU the copy and the shift are formed per item on the way
    /// into the factorisation instead of in passes of their own over the batch.
    /// </summary>
    public static unsafe (Tensor Factor, Tensor Failed) FactorShifted(Tensor matrices, Tensor shift, Tensor destination)
    {
        long batch = destination.size(0);
        int n = (int)destination.size(-1);
        if (!NativeLapack.Serves(destination) || !matrices.is_contiguous() || !destination.is_contiguous()
            || matrices.dtype != destination.dtype || shift.dtype != destination.dtype)
        {
            destination.copy_(Batched.ExpandBatch(matrices, batch));
            destination.diagonal(0, -2, -1).PlusInPlace(shift);
            return Factor(destination, overwrite: true);
        }

        var shiftValues = shift.dim() == 2 && shift.size(0) == batch && shift.size(1) == n ? Dense.Of(shift) : shift.expand(batch, n).contiguous();
        bool[] failures;
        if (UseInterleaved(destination.dtype, n))
            failures = InterleavedCholesky.FactorShifted(NativeLapack.Data<double>(matrices), matrices.size(0),
                NativeLapack.Data<double>(shiftValues), NativeLapack.Data<double>(destination), batch, n, BatchParallel.ForEachItem);
        else if (destination.dtype == ScalarType.Float64)
            failures = ShiftAndFactor(NativeLapack.Data<double>(matrices), matrices.size(0), NativeLapack.Data<double>(shiftValues),
                NativeLapack.Data<double>(destination), batch, n);
        else
            failures = ShiftAndFactor(NativeLapack.Data<float>(matrices), matrices.size(0), NativeLapack.Data<float>(shiftValues),
                NativeLapack.Data<float>(destination), batch, n);
        GC.KeepAlive(matrices); GC.KeepAlive(shiftValues);
        return WithIdentityWhereFailed(destination, failures);
    }

    /// <summary>
    /// Per item, whether matrices (B|1,k,k) + diag(shift) for a (B,k) shift are not positive definite: the failures of
    /// <see cref="FactorShifted"/> for a batch of <paramref name="batch"/> items. Where <see cref="InterleavedCholesky"/>
    /// serves, the factors stay in its per-group buffer and no (B,k,k) tensor is written.
    /// </summary>
    public static unsafe Tensor FailsShifted(Tensor matrices, Tensor shift, long batch)
    {
        int n = (int)matrices.size(-1);
        if (!NativeLapack.Serves(matrices) || !matrices.is_contiguous() || shift.dtype != matrices.dtype || !UseInterleaved(matrices.dtype, n))
            return FactorShifted(matrices, shift, empty(batch, n, n, matrices.dtype, matrices.device)).Failed;
        var shiftValues = shift.dim() == 2 && shift.size(0) == batch && shift.size(1) == n ? Dense.Of(shift) : shift.expand(batch, n).contiguous();
        var failures = InterleavedCholesky.FactorShifted(NativeLapack.Data<double>(matrices), matrices.size(0), NativeLapack.Data<double>(shiftValues),
            null, batch, n, BatchParallel.ForEachItem);
        GC.KeepAlive(matrices); GC.KeepAlive(shiftValues);
        return HostTensors.Of(failures, matrices.device);
    }

    /// <summary>Per item: copies the (possibly shared) source, adds the shift to its diagonal and factorises it with LAPACK while it is in cache.</summary>
    private static unsafe bool[] ShiftAndFactor<T>(T* source, long sourceItems, T* shift, T* destination, long batch, int n)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var failures = new bool[batch];
        long matrix = (long)n * n;
        BatchParallel.ForEachItem(batch, i =>
        {
            T* target = destination + i * matrix;
            new Span<T>(sourceItems == 1 ? source : source + i * matrix, (int)matrix).CopyTo(new Span<T>(target, (int)matrix));
            for (int j = 0; j < n; j++) target[j * (n + 1)] += shift[i * n + j];
            failures[i] = n > 0 && NativeLapack.Factor((IntPtr)target, n, typeof(T) == typeof(float)) != 0;
        });
        return failures;
    }

    /// <summary>The factor with the identity in place of each failed item's, and the failure mask.</summary>
    private static (Tensor Factor, Tensor Failed) WithIdentityWhereFailed(Tensor factor, bool[] failures)
    {
        var failedItems = HostTensors.Of(failures, factor.device);
        if (failures.Any(f => f))
            factor = where(failedItems.view(-1, 1, 1), Identity(factor), factor).contiguous();
        return (factor, failedItems);
    }

    /// <summary>Solves LLᵀx = b per item for b (B,k), with a per-item (B,k,k) or shared (1,k,k) factor.</summary>
    public static unsafe Tensor Solve(Tensor factor, Tensor rhs)
    {
        long batch = rhs.size(0);
        bool shared = factor.size(0) == 1 && batch != 1;
        if (!NativeLapack.Serves(factor) || rhs.dtype != factor.dtype || !factor.is_contiguous())
            return SolveLowerTransposed(factor, SolveLower(factor, rhs));

        var b = rhs.contiguous().clone();
        int n = (int)factor.size(-1);
        if (n == 0) return b;
        bool single = factor.dtype == ScalarType.Float32;
        var factorPointer = NativeLapack.DataPointer(factor);
        var rhsPointer = NativeLapack.DataPointer(b);
        if (shared)
        {
            // (B,k) row-major is k×B column-major: all B right-hand sides in one call.
            NativeLapack.Solve(factorPointer, n, rhsPointer, (int)batch, single);
        }
        else
        {
            long matrix = (long)n * n;
            if (single) BatchParallel.ForEachItem(batch, i => CholeskySolveKernel.SolveInPlace((float*)factorPointer + i * matrix, n, (float*)rhsPointer + i * n));
            else BatchParallel.ForEachItem(batch, i => CholeskySolveKernel.SolveInPlace((double*)factorPointer + i * matrix, n, (double*)rhsPointer + i * n));
        }
        GC.KeepAlive(factor);
        return b;
    }

    /// <summary>L⁻¹b per item for b (B,k) and a per-item (B,k,k) or shared (1,k,k) lower factor, with libtorch's triangular solve.</summary>
    public static Tensor SolveLower(Tensor factor, Tensor rhs) => SolveTriangular(factor, rhs, transposed: false);

    /// <summary>L⁻ᵀb per item, as <see cref="SolveLower"/>.</summary>
    public static Tensor SolveLowerTransposed(Tensor factor, Tensor rhs) => SolveTriangular(factor, rhs, transposed: true);

    private static Tensor SolveTriangular(Tensor factor, Tensor rhs, bool transposed)
    {
        bool shared = factor.size(0) == 1 && rhs.size(0) != 1;
        var columns = shared ? rhs.T.unsqueeze(0) : rhs.unsqueeze(-1);
        var x = linalg.solve_triangular(transposed ? factor.transpose(-1, -2) : factor, columns, upper: transposed);
        return shared ? x.squeeze(0).T : x.squeeze(-1);
    }

    /// <summary>
    /// R L⁻ᵀ per item for the rows R (B|1,r,k) and the factor L (B|1,k,k) of H = LLᵀ, so that (R L⁻ᵀ)(R L⁻ᵀ)ᵀ =
    /// R H⁻¹ Rᵀ: each row is one triangular solve with L. Returns (B,r,k) with B the larger batch, in
    /// <paramref name="destination"/> (contiguous, of that shape) when one is given and LAPACK serves.
    /// </summary>
    public static Tensor SolveLowerRows(Tensor factor, Tensor rows, Tensor? destination = null)
    {
        long batch = Math.Max(factor.size(0), rows.size(0));
        if (!NativeLapack.Serves(factor) || rows.dtype != factor.dtype || !factor.is_contiguous())
        {
            var x = linalg.solve_triangular(factor, Batched.ExpandBatch(rows.transpose(-1, -2), batch), upper: false);
            return x.transpose(-1, -2).contiguous();
        }

        int n = (int)factor.size(-1), r = (int)rows.size(-2);
        if (factor.size(0) == batch && UseInterleaved(factor.dtype, n) && rows.is_contiguous())
            return InterleavedSolveLowerRows(factor, rows, destination ?? empty(batch, r, n, factor.dtype, factor.device));

        // Row-major (r,k) rows are k×r column-major right-hand sides; a shared factor takes all items at once.
        var b = destination is null ? Batched.ExpandBatch(rows, batch).contiguous().clone() : destination.copy_(Batched.ExpandBatch(rows, batch));
        if (n == 0 || r == 0) return b;
        bool single = factor.dtype == ScalarType.Float32;
        var factorPointer = NativeLapack.DataPointer(factor);
        var rhsPointer = NativeLapack.DataPointer(b);
        if (factor.size(0) == 1)
            NativeLapack.SolveLower(factorPointer, n, rhsPointer, checked((int)(batch * r)), single);
        else
        {
            long factorStride = (long)n * n * factor.ElementSize, rhsStride = (long)r * n * b.ElementSize;
            BatchParallel.ForEachItem(batch, i => NativeLapack.SolveLower(factorPointer + (nint)(i * factorStride), n, rhsPointer + (nint)(i * rhsStride), r, single));
        }
        GC.KeepAlive(factor);
        return b;
    }

    /// <summary>
    /// <see cref="SolveLowerRows"/> in <see cref="InterleavedTriangularSolve"/> for per-item factors (B,k,k), writing
    /// <paramref name="destination"/> (B,r,k) straight from the rows (no copy of them first). In the solver (qp-phases,
    /// B = 128, n = m = 100, 1 thread, AMD EPYC) the trsm part of the Schur set-up took about 10 ms per solve instead of
    /// 13-15 with MKL's per-item dtrsm; the whole "V = G L⁻ᵀ and V Vᵀ" phase 20 ms instead of 24.5 (medians of 4 pairs).
    /// </summary>
    private static unsafe Tensor InterleavedSolveLowerRows(Tensor factor, Tensor rows, Tensor destination)
    {
        InterleavedTriangularSolve.SolveLowerRows(NativeLapack.Data<double>(factor), NativeLapack.Data<double>(rows), rows.size(0),
            NativeLapack.Data<double>(destination), destination.size(0), (int)factor.size(-1), (int)rows.size(-2), BatchParallel.ForEachItem);
        GC.KeepAlive(factor); GC.KeepAlive(rows);
        return destination;
    }

    /// <summary>
    /// Whether <see cref="InterleavedCholesky"/> factorises float64 matrices of order <paramref name="n"/> rather than
    /// LAPACK. Measured with <c>DiffOpt.Benchmarks bdn --filter '*Cholesky*'</c> (batch 128, 1 thread, AMD EPYC,
    /// where MKL's small-matrix potrf runs on level-2 kernels): 0.61x LAPACK's time at order 32, 0.56x at 64, even
    /// at 16; 0.65x at 100. In the solver (qp-case B = 128, n = m = 100, phase timer, two alternating runs each)
    /// the iterations' factorisations took 74 ms per solve instead of 156 and 122 with LAPACK. A group of four lanes
    /// costs about 2.4 LAPACK factorisations (165 µs against 68 µs per matrix at order 100), so batches of one or two
    /// matrices pay more than LAPACK would; they use it all the same, because the choice must not depend on the batch
    /// size: the two round differently, and an item's factor (hence its iterates, status and iteration count) would
    /// change with the number of its companions, also as the working set shrinks during a solve.
    /// </summary>
    private static bool UseInterleaved(ScalarType dtype, int n) =>
        dtype == ScalarType.Float64 && n >= 24 && n <= 100 && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    private static unsafe bool[] InterleavedFactor(IntPtr data, long batch, int n) =>
        InterleavedCholesky.Factor((double*)data, batch, n, BatchParallel.ForEachItem);

    private static Tensor Identity(Tensor like) =>
        eye(like.size(-1), dtype: like.dtype, device: like.device).expand_as(like);
}
