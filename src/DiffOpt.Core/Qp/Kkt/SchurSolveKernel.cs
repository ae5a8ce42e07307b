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
        prefetchNext &= item + 1 < op.SFactor.Items && op.HFactor.Items == op.SFactor.Items && op.V.Items == op.SFactor.Items
                        && op.A.Items == op.SFactor.Items;
        long blocks = m / 4;
        T* l = op.HFactor.Item(item), v = op.V.Item(item), a = op.A.Item(item);
        T inverseDelta = op.InverseDelta[item];

        new Span<T>(rx, n).CopyTo(new Span<T>(dx, n));
        int i = 0;
        for (; i + 4 <= p; i += 4)
            VectorKernels.SubtractScaledFourRows(a + (long)i * n, n, -ry[i] * inverseDelta, -ry[i + 1] * inverseDelta,
                -ry[i + 2] * inverseDelta, -ry[i + 3] * inverseDelta, dx, n);
        for (; i < p; i++)
            VectorKernels.SubtractScaled(a + (long)i * n, -ry[i] * inverseDelta, dx, n);
        CholeskySolveKernel.ForwardInPlace(l, n, dx);

        if (m > 0)
        {
            for (i = 0; i + 4 <= m; i += 4)
            {
                if (prefetchNext)
                {
                    CachePrefetch.Part(op.HFactor.Item(item + 1), (long)n * n, i / 4, blocks);
                    CachePrefetch.Part(op.V.Item(item + 1), (long)m * n, i / 4, blocks);
                }
                VectorKernels.DotFourRows(v + (long)i * n, n, dx, n, dz + i);
            }
            for (; i < m; i++)
                dz[i] = VectorKernels.Dot(v + (long)i * n, dx, n);
            for (i = 0; i < m; i++)
                dz[i] -= rz[i];
            CholeskySolveKernel.SolveInPlace(op.SFactor.Item(item), m, dz);
            for (i = 0; i + 4 <= m; i += 4)
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
        }
        CholeskySolveKernel.BackwardInPlace(l, n, dx);

        for (i = 0; i + 4 <= p; i += 4)
            VectorKernels.DotFourRows(a + (long)i * n, n, dx, n, dy + i);
        for (; i < p; i++)
            dy[i] = VectorKernels.Dot(a + (long)i * n, dx, n);
        for (i = 0; i < p; i++)
            dy[i] = (dy[i] - ry[i]) * inverseDelta;
    }
}
