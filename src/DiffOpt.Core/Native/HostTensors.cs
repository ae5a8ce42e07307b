using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Small tensors made from host arrays by writing into a new tensor's memory. TorchSharp's <c>tensor(array)</c> clones
/// the array, pins it with a GC handle and registers a native deleter per call, which costs more than the kernels
/// whose per-item results these tensors carry; the values are the same.
/// </summary>
internal static class HostTensors
{
    /// <summary>A new 1-D bool tensor holding <paramref name="values"/>, on <paramref name="device"/> (the CPU when null).</summary>
    public static unsafe Tensor Of(bool[] values, Device? device = null)
    {
        if (!NativeLapack.IsAvailable) return tensor(values, device: device);
        var result = empty(values.Length, ScalarType.Bool);
        values.AsSpan().CopyTo(new Span<bool>(NativeLapack.Data<bool>(result), values.Length));
        return OnDevice(result, device);
    }

    /// <summary>
    /// A new 1-D tensor of <paramref name="dtype"/> (float64 or float32) holding <paramref name="values"/> (rounded to
    /// float32 as a cast would), on <paramref name="device"/> (the CPU when null).
    /// </summary>
    public static unsafe Tensor Of(double[] values, ScalarType dtype, Device? device = null)
    {
        if (!NativeLapack.IsAvailable || (dtype != ScalarType.Float64 && dtype != ScalarType.Float32)) return tensor(values, dtype: dtype, device: device);
        var result = empty(values.Length, dtype);
        if (dtype == ScalarType.Float64) values.AsSpan().CopyTo(new Span<double>(NativeLapack.Data<double>(result), values.Length));
        else
        {
            float* target = NativeLapack.Data<float>(result);
            for (int i = 0; i < values.Length; i++) target[i] = (float)values[i];
        }
        return OnDevice(result, device);
    }

    private static Tensor OnDevice(Tensor result, Device? device) =>
        device is null || device.type == TorchSharp.DeviceType.CPU ? result : result.to(device);
}
