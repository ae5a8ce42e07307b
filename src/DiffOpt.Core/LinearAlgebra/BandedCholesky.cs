using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Batched Cholesky factorisation and solves of banded matrices A + diag(shift): A (B|1,n,n) symmetric with
/// A_ij = 0 for |i − j| &gt; bw, shift (B,n). The factor L has the same band, so each item costs n(bw + 1)²
/// multiply-adds to factorise and 2n(bw + 1) to solve (against n³/3 and 2n² dense): at the bandwidth 1 of
/// first differences, a linear-time factorisation. The factor is stored (B,n,bw + 1): entry k of row i holds
/// L_{i, i − bw + k} (entries left of column 0 unused). CPU float32/float64, per item in managed code.
/// </summary>
internal static class BandedCholesky
{
    /// <summary>
    /// The bandwidth of <paramref name="matrices"/> (B|1,n,n): the largest |i − j| over the nonzero entries of any
    /// item (0 for diagonal or zero matrices).
    /// </summary>
    public static long Bandwidth(Tensor matrices)
    {
        long n = matrices.shape[^1];
        if (n < 2) return 0;
        using var scope = NewDisposeScope();
        var index = ScalarSafeOperations.Range(n, device: matrices.device);
        var distance = (index.unsqueeze(-1) - index.unsqueeze(0)).abs();
        var nonzero = matrices.NotEqualTo(0.0).any(0);
        return where(nonzero, distance, zeros_like(distance)).max().item<long>();
    }

    /// <summary>Whether the kernels serve <paramref name="matrices"/>: CPU float32/float64.</summary>
    public static bool Serves(Tensor matrices) => NativeLapack.Serves(matrices);

    /// <summary>
    /// Factorises A + diag(shift) per item into <paramref name="band"/> (B,n,bw + 1, contiguous) and returns the
    /// (B,) failure mask: true where a pivot was not positive (that item's factor is the identity).
    /// </summary>
    public static unsafe Tensor Factor(Tensor matrices, Tensor shift, int bandwidth, Tensor band)
    {
        var a = matrices.contiguous();
        var d = shift.to_type(a.dtype).contiguous();
        long batch = band.shape[0];
        int n = (int)a.shape[^1];
        var failures = new bool[batch];
        if (a.dtype == ScalarType.Float64)
            FactorAll(NativeLapack.Data<double>(a), a.shape[0], NativeLapack.Data<double>(d), NativeLapack.Data<double>(band), batch, n, bandwidth, failures);
        else
            FactorAll(NativeLapack.Data<float>(a), a.shape[0], NativeLapack.Data<float>(d), NativeLapack.Data<float>(band), batch, n, bandwidth, failures);
        GC.KeepAlive(a); GC.KeepAlive(d); GC.KeepAlive(band);
        return tensor(failures, device: band.device);
    }

    /// <summary>Solves (LLᵀ)x = b per item for b (B,n) with the factor of <see cref="Factor"/>; returns x.</summary>
    public static unsafe Tensor Solve(Tensor band, Tensor rhs)
    {
        var x = rhs.to_type(band.dtype).contiguous().clone();
        long batch = x.shape[0];
        int n = (int)x.shape[1], width = (int)band.shape[2];
        if (band.dtype == ScalarType.Float64)
        {
            double* l = NativeLapack.Data<double>(band), b = NativeLapack.Data<double>(x);
            BatchParallel.ForEachItem(batch, i => SolveInPlace(l + i * n * width, n, width - 1, b + i * n));
        }
        else
        {
            float* l = NativeLapack.Data<float>(band), b = NativeLapack.Data<float>(x);
            BatchParallel.ForEachItem(batch, i => SolveInPlace(l + i * n * width, n, width - 1, b + i * n));
        }
        GC.KeepAlive(band);
        return x;
    }

    private static unsafe void FactorAll<T>(T* a, long sourceItems, T* shift, T* band, long batch, int n, int bandwidth, bool[] failures)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long matrix = (long)n * n, width = bandwidth + 1;
        BatchParallel.ForEachItem(batch, i =>
        {
            T* l = band + i * n * width;
            if (FactorItem(sourceItems == 1 ? a : a + i * matrix, shift + i * n, l, n, bandwidth)) return;
            failures[i] = true;
            new Span<T>(l, (int)(n * width)).Clear();
            for (int row = 0; row < n; row++) l[row * width + bandwidth] = T.One;
        });
    }

    /// <summary>Row-oriented banded Cholesky of one item; false when a pivot is not positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe bool FactorItem<T>(T* a, T* shift, T* l, int n, int bandwidth) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = bandwidth + 1;
        for (int i = 0; i < n; i++)
        {
            T* rowI = l + (long)i * width;
            int first = Math.Max(0, i - bandwidth);
            for (int j = first; j <= i; j++)
            {
                T* rowJ = l + (long)j * width;
                T sum = a[(long)i * n + j];
                // L_ik L_jk over the columns both rows hold: k from max(i, j) − bw = i − bw to j − 1.
                for (int k = first; k < j; k++)
                    sum -= rowI[k - i + bandwidth] * rowJ[k - j + bandwidth];
                if (j < i)
                {
                    rowI[j - i + bandwidth] = sum / rowJ[bandwidth];
                    continue;
                }
                sum += shift[i];
                if (!(sum > T.Zero)) return false;
                rowI[bandwidth] = T.Sqrt(sum);
            }
        }
        return true;
    }

    /// <summary>Overwrites <paramref name="b"/> (n) with (LLᵀ)⁻¹b for one item's band <paramref name="l"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void SolveInPlace<T>(T* l, int n, int bandwidth, T* b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = bandwidth + 1;
        for (int i = 0; i < n; i++)
        {
            T* row = l + (long)i * width;
            T sum = b[i];
            for (int k = Math.Max(0, i - bandwidth); k < i; k++) sum -= row[k - i + bandwidth] * b[k];
            b[i] = sum / row[bandwidth];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            T xi = b[i] / l[(long)i * width + bandwidth];
            b[i] = xi;
            T* row = l + (long)i * width;
            for (int k = Math.Max(0, i - bandwidth); k < i; k++) b[k] -= row[k - i + bandwidth] * xi;
        }
    }
}
