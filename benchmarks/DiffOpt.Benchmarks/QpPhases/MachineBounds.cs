using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.QpPhases;

/// <summary>
/// What this machine can do with the current torch thread count, measured in-process: the float64 matrix-multiply
/// rate (the FLOP bound of the dense kernels) and the copy bandwidth of a tensor far larger than the caches (the
/// bound of the kernels that stream the problem matrices).
/// </summary>
public sealed record MachineBounds(double GemmGflops, double CopyGBytesPerSecond)
{
    /// <summary>Measures both bounds (best of five runs each).</summary>
    public static MachineBounds Measure()
    {
        using var scope = NewDisposeScope();
        const int order = 1024;
        var a = randn(order, order, dtype: ScalarType.Float64);
        var b = randn(order, order, dtype: ScalarType.Float64);
        double gemmSeconds = Best(() => a.mm(b));
        var big = randn(32L << 20, dtype: ScalarType.Float64); // 256 MB
        var target = empty_like(big);
        double copySeconds = Best(() => target.copy_(big));
        return new MachineBounds(2.0 * order * order * order / gemmSeconds / 1e9, 2.0 * big.numel() * sizeof(double) / copySeconds / 1e9);
    }

    private static double Best(Func<Tensor> run)
    {
        run();
        double best = double.PositiveInfinity;
        for (int i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }
}
