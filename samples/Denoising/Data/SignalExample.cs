namespace Denoising.Data;

/// <summary>One example: a noisy signal and the clean signal it came from (same length).</summary>
/// <param name="Noisy">The observed signal x.</param>
/// <param name="Clean">The clean signal y.</param>
public sealed record SignalExample(float[] Noisy, float[] Clean);
