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

    private static unsafe bool AllZero<T>(Tensor values) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T* data = NativeLapack.Data<T>(values);
        for (long i = 0, n = values.numel(); i < n; i++)
            if (data[i] != T.Zero) return false;
        return true;
    }
}
