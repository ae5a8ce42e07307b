using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Cholesky factorisation of many small matrices at once, vectorised across the batch: the lower triangles of
/// <see cref="Vector256{T}.Count"/> matrices are interleaved so that every SIMD lane holds the same entry of a
/// different matrix, and the scalar Cholesky–Banachiewicz recurrence
/// <code>
///   l_ij = (a_ij − Σ_{k&lt;j} l_ik l_jk) / l_jj,    l_jj = √(a_jj − Σ_{k&lt;j} l_jk²)
/// </code>
/// runs once per group of lanes with full-width arithmetic. The data are read and written in place in the
/// row-major (B,k,k) layout of <see cref="BatchedCholesky"/>: the lower triangle receives L, the strict upper
/// triangle is left as it was.
/// </summary>
internal static class InterleavedCholesky
{
    /// <summary>Matrices per group: the float64 lanes of a <see cref="Vector256{T}"/>.</summary>
    internal const int Lanes = 4;

    /// <summary>
    /// Factorises the <paramref name="batch"/> row-major k×k float64 matrices at <paramref name="data"/> in place and
    /// returns, per matrix, whether a pivot was not positive (or not finite), as LAPACK's potrf reports it. The
    /// factor of such a matrix is unspecified.
    /// </summary>
    public static unsafe bool[] Factor(double* data, long batch, int k, Action<long, Action<long>> forEachGroup) =>
        FactorShifted(data, batch, null, data, batch, k, forEachGroup);

    /// <summary>
    /// As <see cref="Factor"/> for the matrices source_i + diag(shift_i), written to <paramref name="destination"/>
    /// (batch,k,k): <paramref name="source"/> holds <paramref name="sourceItems"/> matrices (1: shared by every
    /// item, or <paramref name="batch"/>), <paramref name="shift"/> is (batch,k) or null. The sum is formed while
    /// the matrices are interleaved, so it costs no pass of its own. With a null <paramref name="destination"/> only
    /// the failures are computed: no factor is written (a definiteness test needs no memory of the matrices' size).
    /// </summary>
    public static unsafe bool[] FactorShifted(double* source, long sourceItems, double* shift, double* destination, long batch, int k,
        Action<long, Action<long>> forEachGroup)
    {
        var failed = new bool[batch];
        if (k == 0) return failed;
        long groups = (batch + Lanes - 1) / Lanes;
        nint matrix = (nint)k * k;
        forEachGroup(groups, group =>
        {
            long first = group * Lanes;
            int count = (int)Math.Min(Lanes, batch - first);
            var packed = ArrayPool<Vector256<double>>.Shared.Rent(k * (k + 1) / 2 + k);
            var lane = stackalloc double*[Lanes];
            for (int l = 0; l < Lanes; l++)
                lane[l] = l < count ? (sourceItems == 1 ? source : source + (first + l) * matrix) : null;
            Pack(lane, shift == null ? null : shift + first * k, count, k, packed);
            // The next group's matrices and this group's destinations are fetched while this one factorises (the next
            // Pack and this Unpack then find them in cache).
            var ahead = stackalloc double*[2 * Lanes];
            bool nextGroup = sourceItems != 1 && first + Lanes + Lanes <= batch;
            for (int l = 0; l < Lanes; l++)
            {
                ahead[l] = nextGroup ? source + (first + Lanes + l) * matrix : null;
                ahead[Lanes + l] = destination != null && destination != source && l < count ? destination + (first + l) * matrix : null;
            }
            var bad = FactorPacked(packed, k, ahead);
            if (destination != null) Unpack(packed, count, k, destination + first * matrix);
            ArrayPool<Vector256<double>>.Shared.Return(packed);
            for (int l = 0; l < count; l++)
                failed[first + l] = bad.GetElement(l) != 0;
        });
        return failed;
    }

    /// <summary>Index of entry (i,j), j ≤ i, in the packed row-by-row lower triangle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Packed(int i, int j) => i * (i + 1) / 2 + j;

    /// <summary>Interleaves the lower triangles of the lanes' matrices (plus their diagonal shift, (count,k), if any).</summary>
    internal static unsafe void Pack(double** lane, double* shift, int count, int k, Vector256<double>[] packed)
    {
        if (count == Lanes && Avx.IsSupported) PackFull(lane, shift, k, packed);
        else PackPartial(lane, shift, count, k, packed);
    }

    /// <summary>
    /// <see cref="Pack"/> of a full group: each row of the four matrices is read four entries at a time and the 4×4
    /// block is transposed in registers; the entries left before the diagonal's end one by one.
    /// </summary>
    private static unsafe void PackFull(double** lane, double* shift, int k, Vector256<double>[] packed)
    {
        fixed (Vector256<double>* target = packed)
        {
            for (int i = 0; i < k; i++)
            {
                var at = target + Packed(i, 0);
                InterleaveRow(lane, (nint)i * k, i + 1, at);
                if (shift != null)
                    at[i] += Vector256.Create(shift[i], shift[k + i], shift[2 * k + i], shift[3 * k + i]);
            }
        }
    }

    /// <summary>
    /// Interleaves entries [offset, offset + length) of the four lanes' arrays into <paramref name="target"/>[0..length):
    /// four entries at a time, the 4×4 block transposed in registers, the rest one by one (AVX, a full group only).
    /// </summary>
    internal static unsafe void InterleaveRow(double** lane, nint offset, int length, Vector256<double>* target)
    {
        double* r0 = lane[0] + offset, r1 = lane[1] + offset, r2 = lane[2] + offset, r3 = lane[3] + offset;
        int j = 0;
        for (; j + Lanes <= length; j += Lanes)
            Transpose(Vector256.Load(r0 + j), Vector256.Load(r1 + j), Vector256.Load(r2 + j), Vector256.Load(r3 + j), target + j);
        for (; j < length; j++)
            target[j] = Vector256.Create(r0[j], r1[j], r2[j], r3[j]);
    }

    /// <summary>
    /// The inverse of <see cref="InterleaveRow"/>: lane l of <paramref name="source"/>[0..length) to
    /// <paramref name="row"/>[l][0..length), for l &lt; <paramref name="count"/> (AVX transposes when the group is full).
    /// </summary>
    internal static unsafe void DeinterleaveRow(Vector256<double>* source, int length, double** row, int count)
    {
        int j = 0;
        if (count == Lanes && Avx.IsSupported)
        {
            var block = stackalloc Vector256<double>[Lanes];
            for (; j + Lanes <= length; j += Lanes)
            {
                Transpose(source[j], source[j + 1], source[j + 2], source[j + 3], block);
                for (int l = 0; l < Lanes; l++) Vector256.Store(block[l], row[l] + j);
            }
        }
        for (; j < length; j++)
        {
            var value = source[j];
            for (int l = 0; l < count; l++) row[l][j] = value.GetElement(l);
        }
    }

    /// <summary><see cref="Pack"/> of any group; lanes without a matrix (the batch's last group) hold the identity.</summary>
    private static unsafe void PackPartial(double** lane, double* shift, int count, int k, Vector256<double>[] packed)
    {
        double Entry(int l, int i, int j)
        {
            if (l >= count) return i == j ? 1 : 0;
            double value = lane[l][(nint)i * k + j];
            return i == j && shift != null ? value + shift[l * k + i] : value;
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j <= i; j++)
                packed[Packed(i, j)] = Vector256.Create(Entry(0, i, j), Entry(1, i, j), Entry(2, i, j), Entry(3, i, j));
    }

    /// <summary>Writes the packed lower triangle back to the lanes' row-major matrices; their strict upper triangles are not touched.</summary>
    private static unsafe void Unpack(Vector256<double>[] packed, int count, int k, double* matrices)
    {
        nint matrix = (nint)k * k;
        var row = stackalloc double*[Lanes];
        fixed (Vector256<double>* source = packed)
        {
            for (int i = 0; i < k; i++)
            {
                for (int l = 0; l < count; l++) row[l] = matrices + l * matrix + (nint)i * k;
                DeinterleaveRow(source + Packed(i, 0), i + 1, row, count);
            }
        }
    }

    /// <summary>Writes the transpose of the 4×4 block with rows a, b, c, d to <paramref name="columns"/>[0..3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose(Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d, Vector256<double>* columns)
    {
        var ab02 = Avx.UnpackLow(a, b);
        var ab13 = Avx.UnpackHigh(a, b);
        var cd02 = Avx.UnpackLow(c, d);
        var cd13 = Avx.UnpackHigh(c, d);
        columns[0] = Avx.Permute2x128(ab02, cd02, 0x20);
        columns[1] = Avx.Permute2x128(ab13, cd13, 0x20);
        columns[2] = Avx.Permute2x128(ab02, cd02, 0x31);
        columns[3] = Avx.Permute2x128(ab13, cd13, 0x31);
    }

    /// <summary>
    /// Overwrites the packed lower triangle with L, row by row, and returns a lane mask (all bits set) of the
    /// matrices with a non-positive or non-finite pivot; their pivots are replaced by 1 so that the other lanes'
    /// arithmetic is unaffected and nothing overflows. The k entries after the triangle hold 1/l_jj. Rows are taken
    /// in pairs and columns too (<see cref="SolveBlock"/>): the four dot products of two rows with two finished rows
    /// share their loads (loads, not multiply-adds, bound one dot product), and each dot product is summed as
    /// <see cref="Dot"/> sums it, so the factor is the same.
    /// With each pair, the same rows of the matrices at <paramref name="ahead"/> are prefetched (<see cref="PrefetchRows"/>).
    /// </summary>
    private static unsafe Vector256<double> FactorPacked(Vector256<double>[] a, int k, double** ahead)
    {
        var bad = Vector256<double>.Zero;
        var inverseDiagonal = a.AsSpan(k * (k + 1) / 2, k);
        ref var start = ref a[0];
        int i = 0;
        for (; i + 1 < k; i += 2)
        {
            PrefetchRows(ahead, k, i);
            ref var rowI = ref Unsafe.Add(ref start, Packed(i, 0));
            ref var rowNext = ref Unsafe.Add(ref start, Packed(i + 1, 0));
            // i is even, so the columns j < i come in pairs (j, j + 1) with j even.
            for (int j = 0; j < i; j += 2)
                SolveBlock(ref rowI, ref rowNext, ref Unsafe.Add(ref start, Packed(j, 0)), ref Unsafe.Add(ref start, Packed(j + 1, 0)), j,
                    inverseDiagonal);
            bad |= Pivot(ref rowI, i, inverseDiagonal);
            Unsafe.Add(ref rowNext, i) = (Unsafe.Add(ref rowNext, i) - Dot(ref rowNext, ref rowI, i)) * inverseDiagonal[i];
            bad |= Pivot(ref rowNext, i + 1, inverseDiagonal);
        }
        for (; i < k; i++)
        {
            ref var rowI = ref Unsafe.Add(ref start, Packed(i, 0));
            for (int j = 0; j < i; j++)
                Unsafe.Add(ref rowI, j) = (Unsafe.Add(ref rowI, j) - Dot(ref rowI, ref Unsafe.Add(ref start, Packed(j, 0)), j)) * inverseDiagonal[j];
            bad |= Pivot(ref rowI, i, inverseDiagonal);
        }
        return bad;
    }

    /// <summary>
    /// The lower parts of rows i and i + 1 of the 2·<see cref="Lanes"/> row-major matrices at <paramref name="lane"/>
    /// (null: none) into the cache (a hint only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRows(double** lane, int k, int i)
    {
        if (!Sse.IsSupported) return;
        for (int l = 0; l < 2 * Lanes; l++)
        {
            if (lane[l] == null) continue;
            PrefetchRange(lane[l] + (nint)i * k, i + 1);
            PrefetchRange(lane[l] + (nint)(i + 1) * k, i + 2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRange(double* start, int length)
    {
        byte* end = (byte*)(start + length);
        for (byte* line = (byte*)start; line < end; line += 64) Sse.Prefetch1(line);
    }

    /// <summary>
    /// l_ii = √(a_ii − Σ_{k&lt;i} l_ik²) for the row starting at <paramref name="row"/> (its first i entries done), and its
    /// inverse; returns the lane mask of non-positive or non-finite pivots, which are replaced by 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Pivot(ref Vector256<double> row, int i, Span<Vector256<double>> inverseDiagonal)
    {
        var sum = Unsafe.Add(ref row, i) - Dot(ref row, ref row, i);
        // sum > 0 is false for zero, negative and NaN pivots alike.
        var positive = Vector256.GreaterThan(sum, Vector256<double>.Zero) & Vector256.LessThan(sum, Vector256.Create(double.PositiveInfinity));
        var pivot = Vector256.Sqrt(Vector256.ConditionalSelect(positive, sum, Vector256<double>.One));
        Unsafe.Add(ref row, i) = pivot;
        inverseDiagonal[i] = Vector256<double>.One / pivot;
        return ~positive;
    }

    /// <summary>
    /// Entries j and j + 1 (j even) of rows x and y from the finished rows z = L_j and w = L_(j+1): the four dot
    /// products share their loads (four per four multiply-adds, against three per two for a row pair and one column).
    /// Each is summed as <see cref="Dot"/> sums it: column j + 1's terms k &lt; j go to the accumulators that column
    /// j's do, and as j is even, (j + 1) mod 4 ≠ 0, so its last term k = j falls in <see cref="Dot"/>'s tail, added
    /// to its first accumulator after the others; the factor is the same to the bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SolveBlock(ref Vector256<double> x, ref Vector256<double> y, ref Vector256<double> z, ref Vector256<double> w, int j,
        Span<Vector256<double>> inverseDiagonal)
    {
        Vector256<double> xz0 = default, xz1 = default, xz2 = default, xz3 = default, yz0 = default, yz1 = default, yz2 = default, yz3 = default;
        Vector256<double> xw0 = default, xw1 = default, xw2 = default, xw3 = default, yw0 = default, yw1 = default, yw2 = default, yw3 = default;
        int p = 0;
        for (; p + 4 <= j; p += 4)
        {
            Accumulate(ref xz0, ref yz0, ref xw0, ref yw0, Unsafe.Add(ref x, p), Unsafe.Add(ref y, p), Unsafe.Add(ref z, p), Unsafe.Add(ref w, p));
            Accumulate(ref xz1, ref yz1, ref xw1, ref yw1, Unsafe.Add(ref x, p + 1), Unsafe.Add(ref y, p + 1), Unsafe.Add(ref z, p + 1), Unsafe.Add(ref w, p + 1));
            Accumulate(ref xz2, ref yz2, ref xw2, ref yw2, Unsafe.Add(ref x, p + 2), Unsafe.Add(ref y, p + 2), Unsafe.Add(ref z, p + 2), Unsafe.Add(ref w, p + 2));
            Accumulate(ref xz3, ref yz3, ref xw3, ref yw3, Unsafe.Add(ref x, p + 3), Unsafe.Add(ref y, p + 3), Unsafe.Add(ref z, p + 3), Unsafe.Add(ref w, p + 3));
        }
        for (; p < j; p++)
            Accumulate(ref xz0, ref yz0, ref xw0, ref yw0, Unsafe.Add(ref x, p), Unsafe.Add(ref y, p), Unsafe.Add(ref z, p), Unsafe.Add(ref w, p));
        var xj = Unsafe.Add(ref x, j) = (Unsafe.Add(ref x, j) - ((xz0 + xz1) + (xz2 + xz3))) * inverseDiagonal[j];
        var yj = Unsafe.Add(ref y, j) = (Unsafe.Add(ref y, j) - ((yz0 + yz1) + (yz2 + yz3))) * inverseDiagonal[j];
        var wj = Unsafe.Add(ref w, j);
        xw0 = Vector256.FusedMultiplyAdd(xj, wj, xw0);
        yw0 = Vector256.FusedMultiplyAdd(yj, wj, yw0);
        Unsafe.Add(ref x, j + 1) = (Unsafe.Add(ref x, j + 1) - ((xw0 + xw1) + (xw2 + xw3))) * inverseDiagonal[j + 1];
        Unsafe.Add(ref y, j + 1) = (Unsafe.Add(ref y, j + 1) - ((yw0 + yw1) + (yw2 + yw3))) * inverseDiagonal[j + 1];
    }

    /// <summary>The four products of entries (a, b) of two rows with entries (c, d) of two others, each into its accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ref Vector256<double> ac, ref Vector256<double> bc, ref Vector256<double> ad, ref Vector256<double> bd,
        Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        ac = Vector256.FusedMultiplyAdd(a, c, ac);
        bc = Vector256.FusedMultiplyAdd(b, c, bc);
        ad = Vector256.FusedMultiplyAdd(a, d, ad);
        bd = Vector256.FusedMultiplyAdd(b, d, bd);
    }

    /// <summary>Σ_{p&lt;length} x_p y_p per lane, with four independent accumulators (the sum's latency, not the
    /// multiply-adds, bounds a single chain).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Dot(ref Vector256<double> x, ref Vector256<double> y, int length)
    {
        Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p + 4 <= length; p += 4)
        {
            s0 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref x, p), Unsafe.Add(ref y, p), s0);
            s1 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref x, p + 1), Unsafe.Add(ref y, p + 1), s1);
            s2 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref x, p + 2), Unsafe.Add(ref y, p + 2), s2);
            s3 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref x, p + 3), Unsafe.Add(ref y, p + 3), s3);
        }
        for (; p < length; p++)
            s0 = Vector256.FusedMultiplyAdd(Unsafe.Add(ref x, p), Unsafe.Add(ref y, p), s0);
        return (s0 + s1) + (s2 + s3);
    }
}
