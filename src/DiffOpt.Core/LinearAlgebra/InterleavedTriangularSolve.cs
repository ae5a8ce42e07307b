using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// V_i = R_i L_i⁻ᵀ for many small lower factors L_i at once, in the lane-wise layout of
/// <see cref="InterleavedCholesky"/> (every SIMD lane holds a different item): each row v of V solves L vᵀ = rᵀ
/// by forward substitution, v_j = (r_j − Σ_{k&lt;j} l_jk v_k) / l_jj, the division done as a product with 1/l_jj.
/// Eight rows are solved together so that each entry of L, once loaded, serves eight multiply-adds (MKL's per-item
/// dtrsm at order 100 runs on its small level-2 kernels). Each sum runs over k in order in one accumulator, so a
/// row's result depends neither on its companions in the group nor on the other rows.
/// </summary>
internal static class InterleavedTriangularSolve
{
    /// <summary>Rows of R solved together (one accumulator each: enough independent multiply-add chains).</summary>
    private const int Rows = 8;

    /// <summary>
    /// Writes R_i L_i⁻ᵀ to <paramref name="destination"/> (batch,r,k) for the row-major lower factors at
    /// <paramref name="factors"/> (batch,k,k; the strict upper triangle is not read) and the rows at
    /// <paramref name="rows"/> (r,k per item; <paramref name="rowItems"/> = 1: shared by every item, or batch).
    /// </summary>
    public static unsafe void SolveLowerRows(double* factors, double* rows, long rowItems, double* destination, long batch, int k, int r,
        Action<long, Action<long>> forEachGroup)
    {
        if (k == 0 || r == 0) return;
        long groups = (batch + InterleavedCholesky.Lanes - 1) / InterleavedCholesky.Lanes;
        nint matrix = (nint)k * k, rowBlock = (nint)r * k;
        forEachGroup(groups, group =>
        {
            long first = group * InterleavedCholesky.Lanes;
            int count = (int)Math.Min(InterleavedCholesky.Lanes, batch - first);
            var factor = ArrayPool<Vector256<double>>.Shared.Rent(k * (k + 1) / 2 + k);
            var block = ArrayPool<Vector256<double>>.Shared.Rent(Rows * k);
            var lane = stackalloc double*[InterleavedCholesky.Lanes];
            var source = stackalloc double*[InterleavedCholesky.Lanes];
            var target = stackalloc double*[InterleavedCholesky.Lanes];
            for (int l = 0; l < InterleavedCholesky.Lanes; l++)
            {
                lane[l] = l < count ? factors + (first + l) * matrix : null;
                source[l] = l < count ? (rowItems == 1 ? rows : rows + (first + l) * rowBlock) : null;
            }
            InterleavedCholesky.Pack(lane, null, count, k, factor);
            var inverseDiagonal = factor.AsSpan(k * (k + 1) / 2, k);
            for (int j = 0; j < k; j++) inverseDiagonal[j] = Vector256<double>.One / factor[InterleavedCholesky.Packed(j, j)];
            fixed (Vector256<double>* l = factor, x = block)
            {
                for (int start = 0; start < r; start += Rows)
                {
                    int taken = Math.Min(Rows, r - start);
                    for (int q = 0; q < Rows; q++)
                        Load(source, count, q < taken ? (nint)(start + q) * k : -1, k, x + q * k);
                    SolveBlock(l, l + k * (k + 1) / 2, x, k);
                    for (int q = 0; q < taken; q++)
                    {
                        for (int m = 0; m < count; m++) target[m] = destination + (first + m) * rowBlock + (nint)(start + q) * k;
                        InterleavedCholesky.DeinterleaveRow(x + q * k, k, target, count);
                    }
                }
            }
            ArrayPool<Vector256<double>>.Shared.Return(block);
            ArrayPool<Vector256<double>>.Shared.Return(factor);
        });
    }

    /// <summary>
    /// Interleaves the row at <paramref name="offset"/> of the lanes' arrays into <paramref name="target"/>[0..k); a
    /// negative offset (a row past the end) and lanes without an item give zeros.
    /// </summary>
    private static unsafe void Load(double** lane, int count, nint offset, int k, Vector256<double>* target)
    {
        if (offset < 0)
            new Span<Vector256<double>>(target, k).Clear();
        else if (count == InterleavedCholesky.Lanes && Avx.IsSupported)
            InterleavedCholesky.InterleaveRow(lane, offset, k, target);
        else
            for (int j = 0; j < k; j++)
                target[j] = Vector256.Create(Entry(lane, count, 0, offset + j), Entry(lane, count, 1, offset + j),
                    Entry(lane, count, 2, offset + j), Entry(lane, count, 3, offset + j));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double Entry(double** lane, int count, int l, nint at) => l < count ? lane[l][at] : 0;

    /// <summary>
    /// Forward substitution in place for the <see cref="Rows"/> interleaved rows at <paramref name="x"/> (row q at
    /// x + q·k) with the packed factor <paramref name="l"/> and its inverse diagonal.
    /// </summary>
    private static unsafe void SolveBlock(Vector256<double>* l, Vector256<double>* inverseDiagonal, Vector256<double>* x, int k)
    {
        Vector256<double>* x0 = x, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k, x4 = x3 + k, x5 = x4 + k, x6 = x5 + k, x7 = x6 + k;
        for (int j = 0; j < k; j++)
        {
            var row = l + InterleavedCholesky.Packed(j, 0);
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p < j; p++)
            {
                var entry = row[p];
                s0 = Vector256.FusedMultiplyAdd(entry, x0[p], s0);
                s1 = Vector256.FusedMultiplyAdd(entry, x1[p], s1);
                s2 = Vector256.FusedMultiplyAdd(entry, x2[p], s2);
                s3 = Vector256.FusedMultiplyAdd(entry, x3[p], s3);
                s4 = Vector256.FusedMultiplyAdd(entry, x4[p], s4);
                s5 = Vector256.FusedMultiplyAdd(entry, x5[p], s5);
                s6 = Vector256.FusedMultiplyAdd(entry, x6[p], s6);
                s7 = Vector256.FusedMultiplyAdd(entry, x7[p], s7);
            }
            var inverse = inverseDiagonal[j];
            x0[j] = (x0[j] - s0) * inverse;
            x1[j] = (x1[j] - s1) * inverse;
            x2[j] = (x2[j] - s2) * inverse;
            x3[j] = (x3[j] - s3) * inverse;
            x4[j] = (x4[j] - s4) * inverse;
            x5[j] = (x5[j] - s5) * inverse;
            x6[j] = (x6[j] - s6) * inverse;
            x7[j] = (x7[j] - s7) * inverse;
        }
    }
}
