using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>A checked warm start broadcast to the batch as float64 arrays (B·n, B·m, B·m, row-major) and its margin.</summary>
internal sealed record WarmArrays(double[] X, double[] Y, double[] S, double Margin)
{
    /// <summary>Checks <paramref name="warm"/> against the data and broadcasts it.</summary>
    /// <exception cref="ArgumentException">A part has the wrong shape, is not finite, or is on another device (ParamName warmStart).</exception>
    public static WarmArrays Create(ConeWarmStart warm, ConeProgramData data)
    {
        const string name = "warmStart";
        if (warm is null) throw new ArgumentException("warmStart must not be null.", name);
        if (!(warm.Margin > 0) || double.IsInfinity(warm.Margin))
            throw new ArgumentException($"warmStart.Margin must be positive and finite; got {warm.Margin}.", name);
        double[] Part(Tensor? value, string part, long length)
        {
            if (value is null || value.dim() is not (1 or 2) || value.shape[^1] != length || (value.dim() == 2 && value.shape[0] != data.Batch))
                throw new ArgumentException($"warmStart.{part} must have shape ({data.Batch}, {length}) or ({length}); got " +
                    $"{(value is null ? "null" : $"[{string.Join(", ", value.shape)}]")}.", name);
            if (value.device_type != data.Device.type)
                throw new ArgumentException($"warmStart.{part} must be on the data's device {data.Device}; got {value.device}.", name);
            if (!value.detach().isfinite().all().item<bool>())
                throw new ArgumentException($"warmStart.{part} contains NaN or infinite entries.", name);
            return TensorCopy.ToDoubles(value.detach().expand(data.Batch, length));
        }
        return new(Part(warm.X, "X", data.Variables), Part(warm.Y, "Y", data.Rows), Part(warm.S, "S", data.Rows), warm.Margin);
    }

    /// <summary>Item <paramref name="item"/>'s start point for the given equilibration.</summary>
    public ItemPoint Point(int item, KernelCone[] cones, double[] d, double[] e, double costScale)
    {
        int n = e.Length, m = d.Length;
        return WarmStartPoint.Create(cones, d, e, costScale, X.AsSpan(item * n, n), Y.AsSpan(item * m, m), S.AsSpan(item * m, m), Margin);
    }
}
