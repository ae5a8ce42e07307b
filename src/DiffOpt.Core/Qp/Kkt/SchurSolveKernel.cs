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
        ForwardItem(op, item, n, p, rx, ry, dx);
        if (m > 0)
        {
            ProjectItem(op, item, n, m, p, dx, dz, prefetchNext);
            MultipliersItem(op, item, m, dz, rz, dz);
        }
        BackwardItem(op, item, n, m, p, ry, dz, dx, dy, prefetchNext);
    }

    /// <summary>The first stage of <see cref="SolveItem{T}"/>: t = L⁻¹ (rx + Aᵀry/δ) into <paramref name="t"/> (n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ForwardItem<T>(Operator<T> op, long item, int n, int p, T* rx, T* ry, T* t)
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
        CholeskySolveKernel.ForwardInPlace(op.HFactor.Item(item), n, t);
    }

    /// <summary>
    /// The second stage: V t into <paramref name="vt"/> (m); with <paramref name="prefetchNext"/> the next item's L
    /// and V are prefetched meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ProjectItem<T>(Operator<T> op, long item, int n, int m, int p, T* t, T* vt, bool prefetchNext = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        prefetchNext &= HasNext(op, item);
        long blocks = m / 4;
        T* v = op.V.Item(item);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            if (prefetchNext)
            {
                CachePrefetch.Part(op.HFactor.Item(item + 1), (long)n * n, i / 4, blocks);
                CachePrefetch.Part(op.V.Item(item + 1), (long)m * n, i / 4, blocks);
            }
            VectorKernels.DotFourRows(v + (long)i * n, n, t, n, vt + i);
        }
        for (; i < m; i++)
            vt[i] = VectorKernels.Dot(v + (long)i * n, t, n);
    }

    /// <summary>
    /// The third stage: dz = S⁻¹ (V t − rz) into <paramref name="dz"/> (m) from V t in <paramref name="vt"/>, which
    /// may be <paramref name="dz"/> itself. Stages one and two do not read rz: solves with one rx and ry and several
    /// rz (Mehrotra's predictor and corrector) share them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MultipliersItem<T>(Operator<T> op, long item, int m, T* vt, T* rz, T* dz)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            dz[i] = vt[i] - rz[i];
        CholeskySolveKernel.SolveInPlace(op.SFactor.Item(item), m, dz);
    }

    /// <summary>
    /// The last stage: dx = L⁻ᵀ (t − Vᵀdz) over t in <paramref name="dx"/> (n), then dy = (A dx − ry)/δ; with
    /// <paramref name="prefetchNext"/> the next item's L_S and A are prefetched meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void BackwardItem<T>(Operator<T> op, long item, int n, int m, int p, T* ry, T* dz, T* dx, T* dy,
        bool prefetchNext = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        prefetchNext &= HasNext(op, item);
        long blocks = m / 4;
        T* v = op.V.Item(item), a = op.A.Item(item), l = op.HFactor.Item(item);
        T inverseDelta = op.InverseDelta[item];
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            if (prefetchNext)
            {
                CachePrefetch.Part(op.SFactor.Item(item + 1), (long)m * m, i / 4, blocks);
                CachePrefetch.Part(op.A.Item(item + 1), (long)p * n, i / 4, blocks);
            }
            VectorKernels.SubtractScaledFourRows(v + (long)i * n, n, dz[i], dz[i + 1], dz[i + 2], dz[i + 3], dx, n);
        }
        for (; i < m; i++)
            VectorKernels.SubtractScaled(v + (long)i * n, dz[i], dx, n);
        CholeskySolveKernel.BackwardInPlace(l, n, dx);

        for (i = 0; i + 4 <= p; i += 4)
            VectorKernels.DotFourRows(a + (long)i * n, n, dx, n, dy + i);
        for (; i < p; i++)
            dy[i] = VectorKernels.Dot(a + (long)i * n, dx, n);
        for (i = 0; i < p; i++)
            dy[i] = (dy[i] - ry[i]) * inverseDelta;
    }

    /// <summary>Whether the batch has an item after <paramref name="item"/> with matrices of its own.</summary>
    private static bool HasNext<T>(Operator<T> op, long item) where T : unmanaged =>
        item + 1 < op.SFactor.Items && op.HFactor.Items == op.SFactor.Items && op.V.Items == op.SFactor.Items
        && op.A.Items == op.SFactor.Items;
}
