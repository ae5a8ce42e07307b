using System.Numerics;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>
/// Per-item infinity norm over several (B,k) blocks in one host pass: the same values as the maximum of
/// <see cref="Batched.InfNorm"/> over the blocks (NaN propagates; 0 for empty blocks), as one new tensor instead
/// of about eight small libtorch results.
/// </summary>
internal static class HostRowNorms
{
    /// <summary>
    /// max over <paramref name="blocks"/> of each row's largest |entry|, (B,); null unless every block is a 2-D CPU
    /// tensor of one float dtype with the same batch size (the caller then takes the tensor form).
    /// </summary>
    public static Tensor? InfNorm(params Tensor[] blocks)
    {
        if (!Applies(blocks)) return null;
        var dense = blocks.Select(Dense.Of).ToArray();
        var result = empty(blocks[0].size(0), dtype: blocks[0].dtype);
        if (result.dtype == ScalarType.Float64) Fill<double>(dense, result);
        else Fill<float>(dense, result);
        GC.KeepAlive(dense);
        return result;
    }

    /// <summary>
    /// The largest |entry| of each row of each matrix of <paramref name="matrices"/> (B,r,c), as (B,r) (NaN propagates;
    /// 0 when c = 0); null unless it is a 3-D CPU tensor of a float dtype.
    /// </summary>
    public static unsafe Tensor? OfMatrixRows(Tensor matrices)
    {
        if (!NativeLapack.Serves(matrices) || matrices.dim() != 3) return null;
        var dense = Dense.Of(matrices);
        var result = empty(matrices.size(0), matrices.size(1), dtype: matrices.dtype);
        long rows = matrices.size(0) * matrices.size(1), cols = matrices.size(2);
        if (result.dtype == ScalarType.Float64) FillRows(NativeLapack.Data<double>(dense), rows, cols, NativeLapack.Data<double>(result));
        else FillRows(NativeLapack.Data<float>(dense), rows, cols, NativeLapack.Data<float>(result));
        GC.KeepAlive(dense);
        return result;
    }

    private static unsafe void FillRows<T>(T* data, long rows, long cols, T* output) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = 0; i < rows; i++) output[i] = RowMax(data + i * cols, cols, T.Zero);
    }

    /// <summary>
    /// max(<paramref name="start"/>, largest |entry| of the row), NaN sticking: the first NaN met (or a NaN start) is the
    /// result. Rows without NaN take vector lanes (a maximum of numbers is the same in any order); a row with one is read
    /// again in order.
    /// </summary>
    internal static unsafe T RowMax<T>(T* row, long length, T start) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long k = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<T>.Count && !T.IsNaN(start))
        {
            var lanes = Vector256.Create(start);
            var nan = Vector256<T>.Zero;
            for (int width = Vector256<T>.Count; k + width <= length; k += width)
            {
                var magnitude = Vector256.Abs(Vector256.Load(row + k));
                nan |= ~Vector256.Equals(magnitude, magnitude);
                lanes = Vector256.MaxNative(lanes, magnitude);
            }
            if (Vector256.ExtractMostSignificantBits(nan) != 0) k = 0;
            else
                for (int lane = 0; lane < Vector256<T>.Count; lane++)
                    if (lanes[lane] > start) start = lanes[lane];
        }
        T max = start;
        for (T* entry = row + k, end = row + length; entry < end && !T.IsNaN(max); entry++)
        {
            T a = T.Abs(*entry);
            if (T.IsNaN(a) || a > max) max = a;
        }
        return max;
    }

    private static bool Applies(Tensor[] blocks)
    {
        if (blocks.Length == 0 || !NativeLapack.Serves(blocks[0])) return false;
        var (dtype, batch) = (blocks[0].dtype, blocks[0].size(0));
        return blocks.All(b => b.dim() == 2 && b.dtype == dtype && b.size(0) == batch && b.device_type == DeviceType.CPU);
    }

    private static unsafe void Fill<T>(Tensor[] blocks, Tensor result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* output = NativeLapack.Data<T>(result);
        long batch = result.size(0);
        for (long i = 0; i < batch; i++) output[i] = T.Zero;
        foreach (var block in blocks)
        {
            long cols = block.size(1);
            if (cols == 0) continue;
            T* data = NativeLapack.Data<T>(block);
            for (long i = 0; i < batch; i++) output[i] = RowMax(data + i * cols, cols, output[i]);
        }
    }
}
