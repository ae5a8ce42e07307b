using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Bulk copies between float64 tensors and managed arrays for the CPU kernels: one memory copy through the tensor's
/// data pointer (TorchSharp's element accessor is much slower on large tensors).
/// </summary>
internal static unsafe class TensorCopy
{
    /// <summary>The entries of <paramref name="value"/> in row-major order, as float64 (copied once to CPU, contiguous float64 if needed).</summary>
    public static double[] ToDoubles(Tensor value)
    {
        if (value.numel() == 0) return [];
        // Not disposed: when value already is contiguous CPU float64, these calls return value itself.
        var dense = value.to(ScalarType.Float64).cpu().contiguous();
        if (!NativeLapack.IsAvailable) return dense.data<double>().ToArray();
        // Uninitialised: the copy overwrites every entry, and zeroing megabytes first is a second pass over fresh pages.
        var result = GC.AllocateUninitializedArray<double>(checked((int)dense.numel()));
        new ReadOnlySpan<double>(NativeLapack.Data<double>(dense), result.Length).CopyTo(result);
        return result;
    }
}
