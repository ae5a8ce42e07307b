using static TorchSharp.torch;

namespace Denoising.TotalVariation;

/// <summary>
/// Tunes the total-variation weight λ by the MSE it gives on a set of signals (the training split): a coarse
/// grid, then a golden-section search between the neighbours of the best grid value.
/// </summary>
public static class LambdaSweep
{
    private static readonly double InverseGolden = (Math.Sqrt(5) - 1) / 2;

    /// <summary>The default coarse grid: 5, 10, ..., 40.</summary>
    public static IReadOnlyList<double> DefaultGrid { get; } = Enumerable.Range(1, 8).Select(i => 5.0 * i).ToArray();

    /// <summary>
    /// Evaluates every λ of <paramref name="grid"/>, then narrows the bracket around the best one by golden-section
    /// search until it is at most <paramref name="tolerance"/> wide. Returns every (λ, MSE) tried, in ascending λ, and
    /// the best λ tried. The refinement assumes the MSE is unimodal near the best grid value.
    /// </summary>
    public static (IReadOnlyList<(double Lambda, double Mse)> Tried, double Best) Run(TotalVariationDenoiser denoiser,
        Tensor noisy, Tensor clean, IReadOnlyList<double> grid, double tolerance = 1.0, Action<double, double>? onLambda = null)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Count == 0) throw new ArgumentException("The grid of lambdas is empty.", nameof(grid));
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be positive.");
        var tried = new SortedDictionary<double, double>();
        double Mse(double lambda)
        {
            if (tried.TryGetValue(lambda, out double known)) return known;
            using var denoised = denoiser.Denoise(noisy, lambda);
            double mse = SignalMetrics.MeanSquaredError(denoised, clean);
            tried[lambda] = mse;
            onLambda?.Invoke(lambda, mse);
            return mse;
        }

        var points = grid.Distinct().Order().ToArray();
        foreach (double lambda in points) Mse(lambda);
        int best = Array.IndexOf(points, tried.MinBy(kv => kv.Value).Key);
        if (points.Length > 1)
            GoldenSection(Mse, points[Math.Max(best - 1, 0)], points[Math.Min(best + 1, points.Length - 1)], tolerance);
        return (tried.Select(kv => (kv.Key, kv.Value)).ToList(), tried.MinBy(kv => kv.Value).Key);
    }

    /// <summary>Golden-section search for a minimum of <paramref name="f"/> on [a, b], down to a bracket of width <paramref name="tolerance"/>.</summary>
    private static void GoldenSection(Func<double, double> f, double a, double b, double tolerance)
    {
        double c = b - InverseGolden * (b - a), d = a + InverseGolden * (b - a);
        double fc = f(c), fd = f(d);
        while (b - a > tolerance)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - InverseGolden * (b - a); fc = f(c); }
            else { a = c; c = d; fc = fd; d = a + InverseGolden * (b - a); fd = f(d); }
        }
    }
}
