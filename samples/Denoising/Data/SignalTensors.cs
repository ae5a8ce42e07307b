using static TorchSharp.torch;

namespace Denoising.Data;

/// <summary>Stacks signals into tensors (B, n), batch first, float32.</summary>
public static class SignalTensors
{
    /// <summary>The noisy signals of examples.</summary>
    public static Tensor Noisy(IReadOnlyList<SignalExample> examples) => Stack(examples.Select(e => e.Noisy).ToList());

    /// <summary>The clean signals of examples.</summary>
    public static Tensor Clean(IReadOnlyList<SignalExample> examples) => Stack(examples.Select(e => e.Clean).ToList());

    /// <summary>Stacks equal-length signals.</summary>
    /// <exception cref="ArgumentException">No signals, or their lengths differ.</exception>
    public static Tensor Stack(IReadOnlyList<float[]> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        if (signals.Count == 0) throw new ArgumentException("No signals.", nameof(signals));
        int n = signals[0].Length;
        var data = new float[signals.Count * n];
        for (int i = 0; i < signals.Count; i++)
        {
            if (signals[i].Length != n) throw new ArgumentException($"Signal {i} has {signals[i].Length} samples; expected {n}.", nameof(signals));
            signals[i].CopyTo(data, i * n);
        }
        return tensor(data, [signals.Count, n]);
    }

    /// <summary>Row <paramref name="index"/> of a (B, n) tensor as floats.</summary>
    public static float[] Row(Tensor signals, long index)
    {
        ArgumentNullException.ThrowIfNull(signals);
        using var row = signals[index].to(ScalarType.Float32);
        return row.data<float>().ToArray();
    }
}
