using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Solves L Lᵀ x = b for one right-hand side with a row-major lower-triangular factor L, vectorised along the rows
/// of L: forward substitution as dot products of row i with the solved part, back substitution column-oriented
/// (once x_i is known, row i of L updates the entries above it), so both read L row by row. Both take four rows at
/// a time, which shares the loads of b and keeps the divisions off the chain of dependent steps: 0.64x (forward)
/// and 0.47x (backward) the perf samples of one row at a time in <c>qp-case</c> B = 128, n = m = 50, p = 10. For the small orders
/// of a batch's KKT systems this avoids the per-call cost of LAPACK's potrs: 0.60x to 0.90x its time at orders 10 to
/// 100 (0.61x at 50, 0.71x at 100; <c>DiffOpt.Benchmarks bdn --filter '*CholeskyBenchmarks*'</c>, 128 items, 1 thread).
/// </summary>
internal static class CholeskySolveKernel
{
    /// <summary>Overwrites <paramref name="b"/> (n) with the solution; <paramref name="l"/> is n×n row-major, read in its lower triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SolveInPlace<T>(T* l, int n, T* b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForwardInPlace(l, n, b);
        BackwardInPlace(l, n, b);
    }

    /// <summary>Overwrites <paramref name="b"/> with L⁻¹b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ForwardInPlace<T>(T* l, int n, T* b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T* dots = stackalloc T[Block];
        for (; i + Block <= n; i += Block) ForwardBlock(l, n, b, i, dots);
        for (; i < n; i++) ForwardRow(l, n, b, i);
    }

    /// <summary>Overwrites <paramref name="b"/> with L⁻ᵀb.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BackwardInPlace<T>(T* l, int n, T* b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = n - 1;
        for (; i + 1 >= Block; i -= Block) BackwardBlock(l, n, b, i);
        for (; i >= 0; i--) BackwardRow(l, n, b, i);
    }

    /// <summary>
    /// <see cref="SolveInPlace{T}(T*, int, T*)"/> for two independent systems of order n at once, with the same
    /// arithmetic per system: the steps of the two alternate, so each fills the other's wait on its chain of dependent
    /// steps (the 4×4 diagonal blocks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SolveInPlace<T>(T* l0, T* b0, T* l1, T* b1, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForwardInPlace(l0, b0, l1, b1, n);
        BackwardInPlace(l0, b0, l1, b1, n);
    }

    /// <summary>Overwrites <paramref name="b0"/> with L₀⁻¹b₀ and <paramref name="b1"/> with L₁⁻¹b₁, their steps alternating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ForwardInPlace<T>(T* l0, T* b0, T* l1, T* b1, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T* dots0 = stackalloc T[Block];
        T* dots1 = stackalloc T[Block];
        for (; i + Block <= n; i += Block)
        {
            ForwardBlock(l0, n, b0, i, dots0);
            ForwardBlock(l1, n, b1, i, dots1);
        }
        for (; i < n; i++)
        {
            ForwardRow(l0, n, b0, i);
            ForwardRow(l1, n, b1, i);
        }
    }

    /// <summary>Overwrites <paramref name="b0"/> with L₀⁻ᵀb₀ and <paramref name="b1"/> with L₁⁻ᵀb₁, their steps alternating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BackwardInPlace<T>(T* l0, T* b0, T* l1, T* b1, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = n - 1;
        for (; i + 1 >= Block; i -= Block)
        {
            BackwardBlock(l0, n, b0, i);
            BackwardBlock(l1, n, b1, i);
        }
        for (; i >= 0; i--)
        {
            BackwardRow(l0, n, b0, i);
            BackwardRow(l1, n, b1, i);
        }
    }

    /// <summary>Forward substitution for the single row i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ForwardRow<T>(T* l, int n, T* b, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* row = l + (long)i * n;
        b[i] = (b[i] - VectorKernels.Dot(row, b, i)) / row[i];
    }

    /// <summary>Back substitution for the single row i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BackwardRow<T>(T* l, int n, T* b, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* row = l + (long)i * n;
        T xi = b[i] / row[i];
        b[i] = xi;
        VectorKernels.SubtractScaled(row, xi, b, i);
    }

    /// <summary>Rows solved together: their dot products (forward) or updates (backward) share the loads of b.</summary>
    private const int Block = 4;

    /// <summary>
    /// Forward substitution for rows i..i+3: their four dot products with the solved part b[0..i) run as independent
    /// chains over the same loads of b (into <paramref name="d"/>), then the 4×4 diagonal block is solved.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ForwardBlock<T>(T* l, int n, T* b, int i, T* d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* r0 = l + (long)i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        VectorKernels.DotFourRows(r0, n, b, i, d);
        // The reciprocals do not wait for the dot products, so the divisions leave the chain of dependent steps.
        T p0 = T.One / r0[i], p1 = T.One / r1[i + 1], p2 = T.One / r2[i + 2], p3 = T.One / r3[i + 3];
        T x0 = (b[i] - d[0]) * p0;
        T x1 = (b[i + 1] - d[1] - r1[i] * x0) * p1;
        T x2 = (b[i + 2] - d[2] - r2[i] * x0 - r2[i + 1] * x1) * p2;
        T x3 = (b[i + 3] - d[3] - r3[i] * x0 - r3[i + 1] * x1 - r3[i + 2] * x2) * p3;
        b[i] = x0; b[i + 1] = x1; b[i + 2] = x2; b[i + 3] = x3;
    }

    /// <summary>
    /// Back substitution for rows i, i−1, i−2, i−3: the 4×4 diagonal block is solved (with the reciprocals of its
    /// diagonal, as in <see cref="ForwardBlock"/>), then the four rows update b[0..i−3) in one pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BackwardBlock<T>(T* l, int n, T* b, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* r0 = l + (long)i * n, r1 = r0 - n, r2 = r1 - n, r3 = r2 - n;
        T p0 = T.One / r0[i], p1 = T.One / r1[i - 1], p2 = T.One / r2[i - 2], p3 = T.One / r3[i - 3];
        T x0 = b[i] * p0;
        T x1 = (b[i - 1] + -x0 * r0[i - 1]) * p1;
        T x2 = (b[i - 2] + -x0 * r0[i - 2] + -x1 * r1[i - 2]) * p2;
        T x3 = (b[i - 3] + -x0 * r0[i - 3] + -x1 * r1[i - 3] + -x2 * r2[i - 3]) * p3;
        b[i] = x0; b[i - 1] = x1; b[i - 2] = x2; b[i - 3] = x3;
        VectorKernels.SubtractScaledFourRows(r0, -n, x0, x1, x2, x3, b, i - 3);
    }
}
