using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The solve of <see cref="InequalitySchurKktSolver"/> on the CPU, one item at a time, with every intermediate
/// vector in the output buffers: for H = L Lᵀ, V = G L⁻ᵀ and S = V Vᵀ + W = L_S L_Sᵀ,
/// <code>
///   t  = L⁻¹ (rx + Aᵀry/δ)
///   dz = S⁻¹ (V t − rz)
///   dx = L⁻ᵀ (t − Vᵀdz)
///   dy = (A dx − ry)/δ
/// </code>
/// Each item's L, V and A are read twice in a row, so the second read comes from cache; the batched tensor form
/// streams them from memory once per product and allocates every intermediate.
/// </summary>
internal static class SchurSolveKernel
{
    /// <summary>The factorised operator of a batch: L (B|1,n,n), V (B|1,m,n), L_S (B,m,m), A (B|1,p,n), 1/δ (B).</summary>
    internal readonly unsafe struct Operator<T>(BatchMatrices<T> hFactor, BatchMatrices<T> v, BatchMatrices<T> sFactor,
        BatchMatrices<T> a, T* inverseDelta) where T : unmanaged
    {
        public readonly BatchMatrices<T> HFactor = hFactor, V = v, SFactor = sFactor, A = a;
        public readonly T* InverseDelta = inverseDelta;
    }

    /// <summary>
    /// Solves for every item of the batch: right-hand sides rx (B,n), ry (B,p), rz (B,m); solutions written to
    /// dx (B,n), dy (B,p), dz (B,m). All row-major and contiguous.
    /// </summary>
    public static unsafe void Solve<T>(Operator<T> op, long batch, T* rx, T* ry, T* rz, T* dx, T* dy, T* dz)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = op.HFactor.Cols, m = op.V.Rows, p = op.A.Rows;
        BatchParallel.ForEachItem(batch, item => SolveItem(op, item, n, m, p,
            rx + item * n, ry + item * p, rz + item * m, dx + item * n, dy + item * p, dz + item * m));
    }

    /// <summary>
    /// The solve for batch item <paramref name="item"/>, with that item's vectors; with <paramref name="prefetchNext"/>
    /// the next item's matrices are prefetched meanwhile (<see cref="CachePrefetch"/>: for a solve that finds this
    /// item's matrices in cache already).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void SolveItem<T>(Operator<T> op, long item, int n, int m, int p, T* rx, T* ry, T* rz, T* dx, T* dy, T* dz,
        bool prefetchNext = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ahead = prefetchNext ? 1 : 0;
        ForwardRightHandSide(op, item, n, p, rx, ry, dx);
        CholeskySolveKernel.ForwardInPlace(op.HFactor.Item(item), n, dx);
        if (m > 0)
        {
            ProjectItem(op, item, n, m, p, dx, dz, ahead);
            for (int i = 0; i < m; i++)
                dz[i] -= rz[i];
            CholeskySolveKernel.SolveInPlace(op.SFactor.Item(item), m, dz);
        }
        SubtractProjection(op, item, n, m, p, dz, dx, ahead);
        CholeskySolveKernel.BackwardInPlace(op.HFactor.Item(item), n, dx);
        EqualityMultipliers(op, item, n, p, ry, dx, dy);
    }

    /// <summary>
    /// The solve's stages, for solves that share some (<see cref="MehrotraStepKernel"/>): the right-hand side
    /// rx + Aᵀry/δ of t = L⁻¹ (rx + Aᵀry/δ), into <paramref name="t"/> (n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ForwardRightHandSide<T>(Operator<T> op, long item, int n, int p, T* rx, T* ry, T* t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = op.A.Item(item);
        T inverseDelta = op.InverseDelta[item];
        new Span<T>(rx, n).CopyTo(new Span<T>(t, n));
        int i = 0;
        for (; i + 4 <= p; i += 4)
            VectorKernels.SubtractScaledFourRows(a + (long)i * n, n, -ry[i] * inverseDelta, -ry[i + 1] * inverseDelta,
                -ry[i + 2] * inverseDelta, -ry[i + 3] * inverseDelta, t, n);
        for (; i < p; i++)
            VectorKernels.SubtractScaled(a + (long)i * n, -ry[i] * inverseDelta, t, n);
    }

    /// <summary>
    /// V t into <paramref name="vt"/> (m); with <paramref name="prefetchAhead"/> &gt; 0 the L and V of the item that
    /// many items on are prefetched meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ProjectItem<T>(Operator<T> op, long item, int n, int m, int p, T* t, T* vt, int prefetchAhead = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool prefetch = HasItem(op, item, prefetchAhead);
        long blocks = m / 4, next = item + prefetchAhead;
        T* v = op.V.Item(item);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            if (prefetch) PrefetchParts(op.HFactor.Item(next), (long)n * n, op.V.Item(next), (long)m * n, i / 4, blocks);
            VectorKernels.DotFourRows(v + (long)i * n, n, t, n, vt + i);
        }
        for (; i < m; i++)
            vt[i] = VectorKernels.Dot(v + (long)i * n, t, n);
    }

    /// <summary>
    /// t − Vᵀdz over t in <paramref name="dx"/> (n), the right-hand side of dx = L⁻ᵀ (t − Vᵀdz); with
    /// <paramref name="prefetchAhead"/> &gt; 0 the L_S and A of the item that many items on are prefetched meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void SubtractProjection<T>(Operator<T> op, long item, int n, int m, int p, T* dz, T* dx, int prefetchAhead = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool prefetch = HasItem(op, item, prefetchAhead);
        long blocks = m / 4, next = item + prefetchAhead;
        T* v = op.V.Item(item);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            if (prefetch) PrefetchParts(op.SFactor.Item(next), (long)m * m, op.A.Item(next), (long)p * n, i / 4, blocks);
            VectorKernels.SubtractScaledFourRows(v + (long)i * n, n, dz[i], dz[i + 1], dz[i + 2], dz[i + 3], dx, n);
        }
        for (; i < m; i++)
            VectorKernels.SubtractScaled(v + (long)i * n, dz[i], dx, n);
    }

    /// <summary>dy = (A dx − ry)/δ into <paramref name="dy"/> (p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void EqualityMultipliers<T>(Operator<T> op, long item, int n, int p, T* ry, T* dx, T* dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = op.A.Item(item);
        T inverseDelta = op.InverseDelta[item];
        int i = 0;
        for (; i + 4 <= p; i += 4)
            VectorKernels.DotFourRows(a + (long)i * n, n, dx, n, dy + i);
        for (; i < p; i++)
            dy[i] = VectorKernels.Dot(a + (long)i * n, dx, n);
        for (i = 0; i < p; i++)
            dy[i] = (dy[i] - ry[i]) * inverseDelta;
    }

    /// <summary>Prefetches part <paramref name="part"/> of <paramref name="parts"/> of two matrices (<see cref="CachePrefetch.Part{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchParts<T>(T* first, long firstLength, T* second, long secondLength, long part, long parts)
        where T : unmanaged
    {
        CachePrefetch.Part(first, firstLength, part, parts);
        CachePrefetch.Part(second, secondLength, part, parts);
    }

    /// <summary>
    /// Whether <paramref name="ahead"/> &gt; 0 and the batch has the item that many after <paramref name="item"/>,
    /// with matrices of its own.
    /// </summary>
    private static bool HasItem<T>(Operator<T> op, long item, int ahead) where T : unmanaged =>
        ahead > 0 && item + ahead < op.SFactor.Items && op.HFactor.Items == op.SFactor.Items && op.V.Items == op.SFactor.Items
        && op.A.Items == op.SFactor.Items;
}
