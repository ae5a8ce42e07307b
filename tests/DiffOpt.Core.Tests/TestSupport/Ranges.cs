using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// <c>torch.arange</c> with every scalar alive for the whole native call: TorchSharp's short overloads make the
/// missing start and step as temporaries (see <see cref="ScalarSafeOperations"/>).
/// </summary>
public static class Ranges
{
    /// <summary>start, start + 1, …, stop − 1 as <c>arange(start, stop, dtype: dtype)</c>.</summary>
    public static Tensor Arange(long start, long stop, ScalarType dtype)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        return arange(first, end, ScalarSafeOperations.One, dtype: dtype);
    }

    /// <summary>0, 1, …, stop − 1 as <c>arange(stop, dtype: dtype)</c>.</summary>
    public static Tensor Arange(long stop, ScalarType dtype) => Arange(0, stop, dtype);
}
