using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DiffOpt.Numerics;

/// <summary>
/// The lower triangle of GᵀG for a row-major G whose rows are padded to a multiple of <see cref="Width"/> with zeros,
/// in managed code: blocks of four rows by eight columns of GᵀG held in registers while the rows of G stream past
/// (per row of G two vector loads, four broadcasts and eight fused multiply–adds), and only the blocks that meet the
/// lower triangle. Each entry is Σᵣ gᵣⱼgᵣₗ summed in row order, so its rounding does not depend on the arrays'
/// alignment. The cone kernel forms such a sum every iteration for its reduced KKT matrix; at 100 × 50 MKL's dgemm
/// (libtorch exports no dsyrk) computed both triangles and cost about three times this kernel's arithmetic.
/// </summary>
internal static class BlockedGram
{
    /// <summary>The multiple to which the rows of G (and of the result) are padded.</summary>
    public const int Width = 8;

    /// <summary>n rounded up to a multiple of <see cref="Width"/>: the padded row length of G and of the result.</summary>
    public static int Padded(int n) => (n + Width - 1) / Width * Width;

    /// <summary>
    /// The lower triangle of GᵀG (columns × columns) into the row-major <paramref name="result"/> (row length
    /// <see cref="Padded"/>(columns), at least that many rows), for the row-major rows × columns <paramref name="g"/>
    /// with row length <see cref="Padded"/>(columns) whose padding entries are 0. Entries of <paramref name="result"/>
    /// above the diagonal within the blocks that meet it are overwritten too, with their products.
    /// </summary>
    public static void Lower(ReadOnlySpan<double> g, int rows, int columns, Span<double> result)
    {
        int p = Padded(columns);
        if (g.Length < rows * p || result.Length < p * p) throw new ArgumentException("The spans are shorter than the matrices' shapes.");
        if (!Vector256.IsHardwareAccelerated)
        {
            Scalar(g, rows, columns, p, result);
            return;
        }
        ref double rg = ref MemoryMarshal.GetReference(g);
        ref double rc = ref MemoryMarshal.GetReference(result);
        // Rows j0..j0+3 of GᵀG against columns l0..l0+7, for every l0 ≤ j0 + 3 (columns ≤ the rows' largest index).
        for (int j0 = 0; j0 < columns; j0 += 4)
            for (int l0 = 0; l0 <= j0 + 3 && l0 < columns; l0 += Width)
                Block(ref rg, rows, p, j0, l0, ref rc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(ref double g, int rows, int p, int j0, int l0, ref double c)
    {
        var a0 = Vector256<double>.Zero;
        var a1 = Vector256<double>.Zero;
        var b0 = Vector256<double>.Zero;
        var b1 = Vector256<double>.Zero;
        var c0 = Vector256<double>.Zero;
        var c1 = Vector256<double>.Zero;
        var d0 = Vector256<double>.Zero;
        var d1 = Vector256<double>.Zero;
        nuint stride = (nuint)p, left = (nuint)l0, right = (nuint)(l0 + 4), row = (nuint)j0;
        for (int r = 0; r < rows; r++)
        {
            var v0 = Vector256.LoadUnsafe(ref g, left);
            var v1 = Vector256.LoadUnsafe(ref g, right);
            var s = Vector256.Create(Unsafe.Add(ref g, row));
            a0 = Vector256.FusedMultiplyAdd(s, v0, a0);
            a1 = Vector256.FusedMultiplyAdd(s, v1, a1);
            s = Vector256.Create(Unsafe.Add(ref g, row + 1));
            b0 = Vector256.FusedMultiplyAdd(s, v0, b0);
            b1 = Vector256.FusedMultiplyAdd(s, v1, b1);
            s = Vector256.Create(Unsafe.Add(ref g, row + 2));
            c0 = Vector256.FusedMultiplyAdd(s, v0, c0);
            c1 = Vector256.FusedMultiplyAdd(s, v1, c1);
            s = Vector256.Create(Unsafe.Add(ref g, row + 3));
            d0 = Vector256.FusedMultiplyAdd(s, v0, d0);
            d1 = Vector256.FusedMultiplyAdd(s, v1, d1);
            left += stride;
            right += stride;
            row += stride;
        }
        nuint o = (nuint)(j0 * p + l0);
        a0.StoreUnsafe(ref c, o);
        a1.StoreUnsafe(ref c, o + 4);
        b0.StoreUnsafe(ref c, o + stride);
        b1.StoreUnsafe(ref c, o + stride + 4);
        c0.StoreUnsafe(ref c, o + 2 * stride);
        c1.StoreUnsafe(ref c, o + 2 * stride + 4);
        d0.StoreUnsafe(ref c, o + 3 * stride);
        d1.StoreUnsafe(ref c, o + 3 * stride + 4);
    }

    /// <summary>The same sums, in the same order, without vector hardware.</summary>
    private static void Scalar(ReadOnlySpan<double> g, int rows, int columns, int p, Span<double> result)
    {
        for (int j = 0; j < columns; j++)
            for (int l = 0; l <= j; l++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++) sum = Math.FusedMultiplyAdd(g[r * p + j], g[r * p + l], sum);
                result[j * p + l] = sum;
            }
    }
}
