using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Denoising.Data;
using Denoising.TotalVariation;
using DiffOpt.Samples;

namespace Denoising.Commands;

/// <summary>
/// <c>tv-baseline --data F.csv --lambda L</c> or <c>--sweep</c>: exact total-variation denoising of the test
/// split (λ given, or tuned on the training split), through the batched QP solver.
/// </summary>
internal static class TvBaselineCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file x0..x99,y0..y99", Required = true };
        var lambda = new Option<double?>("--lambda") { Description = "Weight of the total-variation term" };
        var sweep = new Option<bool>("--sweep") { Description = "Tune lambda on the training split (coarse grid, then golden-section search to +-0.5)" };
        var grid = new Option<string?>("--lambdas") { Description = "Coarse grid for --sweep, comma separated (default 5,10,...,40)" };
        var sweepCount = new Option<int?>("--sweep-count") { Description = "Tune on the first N training rows only (default: all)" };
        var trainCount = new Option<int?>("--train-count") { Description = "Rows of the training split (default: first 90 %)" };
        var command = new Command("tv-baseline", "Total-variation denoising (exact, through the QP solver)") { data, lambda, sweep, grid, sweepCount, trainCount };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            if (r.GetValue(lambda) is null == !r.GetValue(sweep))
                throw new SampleException("give either --lambda L or --sweep");
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var denoiser = new TotalVariationDenoiser();
            double chosen = r.GetValue(lambda) ?? Tune(denoiser, Head(train, r.GetValue(sweepCount)), ParseGrid(r.GetValue(grid)));
            Console.WriteLine(CommandRunner.Invariant($"total variation, lambda {chosen:F2}: {test.Count} test signals"));
            Console.WriteLine(Cli.TestMseLine(TestMse(denoiser, test, chosen)));
            return 0;
        }));
        return command;
    }

    /// <summary>Sweeps λ on the training split, printing each, and returns the best.</summary>
    internal static double Tune(TotalVariationDenoiser denoiser, IReadOnlyList<SignalExample> train, IReadOnlyList<double> grid)
    {
        using var noisy = SignalTensors.Noisy(train);
        using var clean = SignalTensors.Clean(train);
        var clock = Stopwatch.StartNew();
        var (_, best) = LambdaSweep.Run(denoiser, noisy, clean, grid,
            onLambda: (l, mse) => Console.WriteLine(CommandRunner.Invariant($"lambda {l,7:0.00}: train mse {mse:F4}  ({clock.Elapsed.TotalSeconds:F1} s)")));
        Console.WriteLine(CommandRunner.Invariant($"best lambda on {train.Count} training signals: {best:F2}"));
        return best;
    }

    /// <summary>Test MSE of total variation at λ, with the solve time.</summary>
    internal static double TestMse(TotalVariationDenoiser denoiser, IReadOnlyList<SignalExample> test, double lambda)
    {
        using var noisy = SignalTensors.Noisy(test);
        using var clean = SignalTensors.Clean(test);
        var clock = Stopwatch.StartNew();
        using var denoised = CommandRunner.Checked(() => denoiser.Denoise(noisy, lambda));
        Console.WriteLine(CommandRunner.Invariant($"solved {test.Count} TV problems in {clock.Elapsed.TotalSeconds:F2} s"));
        return SignalMetrics.MeanSquaredError(denoised, clean);
    }

    /// <summary>The first <paramref name="count"/> rows (all when null), for <c>--sweep-count</c>.</summary>
    internal static IReadOnlyList<T> Head<T>(IReadOnlyList<T> rows, int? count) => count switch
    {
        null => rows,
        < 1 => throw new SampleException($"--sweep-count must be positive, got {count}"),
        _ => rows.Take(count.Value).ToList(),
    };

    private static IReadOnlyList<double> ParseGrid(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return LambdaSweep.DefaultGrid;
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0) || double.IsInfinity(v))
                throw new SampleException($"--lambdas: \"{part}\" is not a non-negative number");
            values.Add(v);
        }
        return values.Count > 0 ? values : throw new SampleException("--lambdas: no values");
    }
}
