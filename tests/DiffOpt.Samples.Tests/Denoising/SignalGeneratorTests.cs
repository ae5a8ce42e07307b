using Denoising.Data;

namespace DiffOpt.Samples.Tests.Denoising;

public class SignalGeneratorTests
{
    private static readonly IReadOnlyList<SignalExample> Generated = new SignalGenerator(seed: 5).Generate(2000);

    /// <summary>The constant runs of a clean signal as (start, length, height).</summary>
    private static List<(int Start, int Length, float Height)> Runs(float[] clean)
    {
        var runs = new List<(int, int, float)>();
        int start = 0;
        for (int i = 1; i <= clean.Length; i++)
            if (i == clean.Length || clean[i] != clean[start]) { runs.Add((start, i - start, clean[start])); start = i; }
        return runs;
    }

    [Fact]
    public void Signals_HaveLength100()
    {
        Assert.All(Generated, e => { Assert.Equal(100, e.Noisy.Length); Assert.Equal(100, e.Clean.Length); });
    }

    [Fact]
    public void Clean_IsPiecewiseConstant_WithAtMost9Runs_OfIntegerHeightsIn10To99()
    {
        foreach (var e in Generated)
        {
            var runs = Runs(e.Clean);
            Assert.InRange(runs.Count, 1, 9);
            Assert.All(runs, r => { Assert.Equal(Math.Round(r.Height), r.Height); Assert.InRange(r.Height, 10, 99); });
            // Breakpoints lie in 1..98, so the last run has at least 2 samples.
            Assert.True(runs[^1].Length >= 2);
        }
    }

    [Fact]
    public void SegmentCounts_AreSpreadOver1To9()
    {
        // Runs can merge when neighbouring heights are equal (chance 1/90 per breakpoint), so the run count
        // is at most the segment count; each of 1..9 is still about 1/9 of the signals.
        var counts = Generated.GroupBy(e => Runs(e.Clean).Count).ToDictionary(g => g.Key, g => g.Count());
        for (int k = 1; k <= 9; k++) Assert.InRange(counts.GetValueOrDefault(k), 150, 300);
    }

    [Fact]
    public void Heights_AreUniformOn10To99()
    {
        var heights = Generated.SelectMany(e => Runs(e.Clean)).Select(r => (double)r.Height).ToList();
        Assert.Equal(10, heights.Min());
        Assert.Equal(99, heights.Max());
        Assert.InRange(heights.Average(), 54.5 - 1.0, 54.5 + 1.0); // ~10,000 heights: standard error ~0.26
    }

    [Fact]
    public void Noise_IsCenteredGaussian_WithSigma10()
    {
        var noise = Generated.SelectMany(e => e.Noisy.Zip(e.Clean, (x, y) => (double)x - y)).ToList();
        double mean = noise.Average();
        double sd = Math.Sqrt(noise.Sum(v => (v - mean) * (v - mean)) / (noise.Count - 1));
        Assert.InRange(mean, -0.1, 0.1);   // 200,000 draws: standard error 0.022
        Assert.InRange(sd, 9.9, 10.1);     // standard error 0.016
        double withinOneSigma = noise.Count(v => Math.Abs(v) <= 10) / (double)noise.Count;
        Assert.InRange(withinOneSigma, 0.676, 0.689); // Gaussian: 0.6827
    }

    [Fact]
    public void SameSeed_GivesSameSignals()
    {
        var a = new SignalGenerator(9).Generate(3);
        var b = new SignalGenerator(9).Generate(3);
        var c = new SignalGenerator(10).Generate(3);
        Assert.Equal(a.SelectMany(e => e.Noisy), b.SelectMany(e => e.Noisy));
        Assert.NotEqual(a.SelectMany(e => e.Noisy), c.SelectMany(e => e.Noisy));
    }
}
