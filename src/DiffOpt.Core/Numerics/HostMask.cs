using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>
/// any(), all() and the count of true entries of a bool mask, read on the host when the mask is on the CPU (no
/// tensor operation: mask.any().item() costs two, each with its dispatch and allocation), by tensor operations
/// elsewhere.
/// </summary>
internal static class HostMask
{
    /// <summary>Whether some entry of <paramref name="mask"/> is true.</summary>
    public static bool Any(Tensor mask) => Serves(mask) ? Count(mask, stopAtFirst: true) > 0 : mask.any().item<bool>();

    /// <summary>Whether every entry of <paramref name="mask"/> is true.</summary>
    public static bool All(Tensor mask) => Serves(mask) ? Count(mask, stopAtFirst: false) == mask.numel() : mask.all().item<bool>();

    /// <summary>The number of true entries of <paramref name="mask"/>.</summary>
    public static long Count(Tensor mask) => Serves(mask) ? Count(mask, stopAtFirst: false) : mask.sum().item<long>();

    /// <summary>Whether the host reads <paramref name="mask"/> (a bool tensor on the CPU); elsewhere the tests cost tensor operations and a device sync.</summary>
    public static bool OnHost(Tensor mask) => NativeLapack.IsAvailable && mask.dtype == ScalarType.Bool && mask.device_type == DeviceType.CPU;

    private static bool Serves(Tensor mask) => OnHost(mask);

    private static unsafe long Count(Tensor mask, bool stopAtFirst)
    {
        var c = Dense.Of(mask);
        bool* data = NativeLapack.Data<bool>(c);
        long count = 0;
        for (long i = 0, n = c.numel(); i < n; i++)
        {
            if (!data[i]) continue;
            count++;
            if (stopAtFirst) break;
        }
        GC.KeepAlive(c);
        return count;
    }
}
