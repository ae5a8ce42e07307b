namespace Denoising.Data;

/// <summary>
/// Seeded generator of the synthetic 1-D denoising data of OptNet (Amos &amp; Kolter 2017, sec. 4.2; OptNet's
/// <c>denoising/create.py</c>): a clean signal of length 100 made of 1-9 constant segments (the count
/// uniform), the 0-8 breakpoints drawn without replacement from positions 1-98, each segment's height an
/// independent uniform integer in 10-99; the noisy signal adds i.i.d. Gaussian noise of standard deviation 10.
/// Same distribution as OptNet's generator, not the same numbers (that one uses numpy's random stream).
/// </summary>
public sealed class SignalGenerator
{
    /// <summary>Signal length.</summary>
    public const int Length = 100;

    /// <summary>Fewest constant segments.</summary>
    public const int MinSegments = 1;

    /// <summary>Most constant segments.</summary>
    public const int MaxSegments = 9;

    /// <summary>Lowest segment height.</summary>
    public const int MinHeight = 10;

    /// <summary>Highest segment height.</summary>
    public const int MaxHeight = 99;

    /// <summary>Standard deviation of the noise.</summary>
    public const double NoiseSigma = 10;

    private readonly Random _random;

    /// <summary>Creates a generator; equal seeds give equal signals.</summary>
    public SignalGenerator(int seed) => _random = new Random(seed);

    /// <summary>The next example.</summary>
    public SignalExample Next()
    {
        int segments = _random.Next(MinSegments, MaxSegments + 1);
        // Breakpoints: distinct positions in 1..Length-2, as OptNet's choice(seqLen - 2, nBps - 1) + 1.
        var positions = Enumerable.Range(1, Length - 2).ToArray();
        _random.Shuffle(positions);
        var starts = positions.Take(segments - 1).Order().Prepend(0).Append(Length).ToArray();
        var clean = new float[Length];
        var noisy = new float[Length];
        for (int s = 0; s < segments; s++)
        {
            int height = _random.Next(MinHeight, MaxHeight + 1);
            for (int i = starts[s]; i < starts[s + 1]; i++) clean[i] = height;
        }
        for (int i = 0; i < Length; i++) noisy[i] = (float)(clean[i] + NoiseSigma * StandardNormal());
        return new SignalExample(noisy, clean);
    }

    /// <summary>The next <paramref name="count"/> examples.</summary>
    public IReadOnlyList<SignalExample> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var examples = new SignalExample[count];
        for (int i = 0; i < count; i++) examples[i] = Next();
        return examples;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private double StandardNormal()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
