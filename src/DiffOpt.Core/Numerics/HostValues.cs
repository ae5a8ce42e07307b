using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>Tests of a tensor's values read on the host, without tensor operations, when it is a contiguous CPU tensor.</summary>
internal static class HostValues
{
    /// <summary>
    /// True when <paramref name="values"/> is a contiguous float32/float64 CPU tensor whose entries are all zero (±0);
    /// false otherwise, including when the host cannot read it (the caller then takes the general form).
    /// </summary>
    public static bool AllZero(Tensor values)
    {
        if (!NativeLapack.Serves(values) || !values.is_contiguous()) return false;
        bool zero = values.dtype == ScalarType.Float64 ? AllZero<double>(values) : AllZero<float>(values);
        GC.KeepAlive(values);
        return zero;
    }

    /// <summary>
    /// Whether every entry of <paramref name="a"/> equals (==, so NaN never and ±0 always) the same entry of
    /// <paramref name="b"/>, as <c>(a == b).all()</c>; null unless both are contiguous CPU tensors of one float dtype
    /// and shape (the caller then takes the tensor form).
    /// </summary>
    public static bool? Equal(Tensor a, Tensor b)
    {
        if (!NativeLapack.Serves(a) || a.dtype != b.dtype || b.device_type != TorchSharp.DeviceType.CPU
            || !a.is_contiguous() || !b.is_contiguous() || !a.shape.SequenceEqual(b.shape)) return null;
        bool equal = a.dtype == ScalarType.Float64 ? Equal<double>(a, b) : Equal<float>(a, b);
        GC.KeepAlive(a); GC.KeepAlive(b);
        return equal;
    }

    private static unsafe bool Equal<T>(Tensor a, Tensor b) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T* x = NativeLapack.Data<T>(a), y = NativeLapack.Data<T>(b);
        for (long i = 0, n = a.numel(); i < n; i++)
            if (x[i] != y[i]) return false;
        return true;
    }

    private static unsafe bool AllZero<T>(Tensor values) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T* data = NativeLapack.Data<T>(values);
        for (long i = 0, n = values.numel(); i < n; i++)
            if (data[i] != T.Zero) return false;
        return true;
    }
}
