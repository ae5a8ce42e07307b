using System.CommandLine;
using System.Diagnostics;
using Denoising.Model;
using Denoising.TotalVariation;
using DiffOpt.Samples;
using Microsoft.ML;

namespace Denoising.Commands;

/// <summary>
/// <c>train --data F.csv --model M.zip [--init tv|random] [--epochs E] [--lambda L] [--no-adaptive-weights]</c>: trains the learned
/// total-variation layer (DiffOpt.ML), by default from TV with λ tuned on the training split, and saves it.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file x0..x99,y0..y99", Required = true };
        var model = new Option<string>("--model") { Description = "Where to save the trained model (.zip)", Required = true };
        var init = new Option<string>("--init") { Description = "Start of D: tv (difference matrix, tuned lambda, both learned) or random (0.3 randn, lambda fixed at 13, L1 penalty on D)", DefaultValueFactory = _ => "tv" };
        init.AcceptOnlyFromAmong("tv", "random");
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 10 };
        var lambda = new Option<double?>("--lambda") { Description = "Starting lambda (default: tuned on the training split from tv, 13 from random)" };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Adam learning rate (default: 3e-4 from tv, 1e-2 from random)" };
        var sweepCount = new Option<int?>("--sweep-count") { Description = "Tune lambda on the first N training rows only (default: all)" };
        var seed = new Option<int>("--seed") { Description = "Seed", DefaultValueFactory = _ => 0 };
        var trainCount = new Option<int?>("--train-count") { Description = "Rows of the training split (default: first 90 %)" };
        var plain = new Option<bool>("--no-adaptive-weights") { Description = "From tv: learn D and lambda only (no signal-dependent weight per difference)" };
        var bandwidth = new Option<int?>("--bandwidth") { Description = "Keep D banded: each difference a learned stencil of k + 1 neighbouring samples (default: dense D)" };
        var progressSeconds = ProgressOption.Create();
        var batchSize = new Option<int>("--batch-size") { Description = "Signals per mini-batch", DefaultValueFactory = _ => new DenoisingTrainingOptions().BatchSize };
        var command = new Command("train", "Train the learned total-variation layer (DiffOpt.ML) and save it")
            { data, model, init, epochs, lambda, learningRate, sweepCount, seed, trainCount, plain, bandwidth, progressSeconds, batchSize };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var options = new DenoisingTrainingOptions
            {
                Init = r.GetValue(init) == "random" ? DenoisingInit.Random : DenoisingInit.TotalVariation,
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batchSize), Lambda = r.GetValue(lambda), LearningRate = r.GetValue(learningRate), Seed = r.GetValue(seed),
                AdaptiveWeights = !r.GetValue(plain), DifferenceBandwidth = r.GetValue(bandwidth),
            };
            if (options.DifferenceBandwidth is < 1)
                throw new SampleException($"--bandwidth must be at least 1, got {options.DifferenceBandwidth}");
            if (options.Lambda is <= 0 || options.Lambda is { } l && !double.IsFinite(l))
                throw new SampleException($"--lambda must be positive and finite, got {options.Lambda}");
            var tuning = TvBaselineCommand.Head(train, r.GetValue(sweepCount));
            var clock = Stopwatch.StartNew();
            options = options with
            {
                Lambda = DenoisingModel.StartingLambda(options, tuning,
                    (l, mse) => Console.WriteLine(CommandRunner.Invariant($"lambda {l,7:0.00}: train mse {mse:F4}  ({clock.Elapsed.TotalSeconds:F1} s)"))),
            };
            Console.WriteLine(CommandRunner.Invariant(
                $"learned TV layer from {(options.Init == DenoisingInit.Random ? "random D" : options.AdaptiveWeights ? "total variation, adaptive weights" : "total variation")}{(options.DifferenceBandwidth is { } k ? $", D banded (bandwidth {k})" : "")}: lambda {options.Lambda:F2}{(options.Init == DenoisingInit.Random ? " (fixed)" : "")}, Adam lr {options.LearningRate ?? options.DefaultLearningRate:G3}, {options.Epochs} epochs, {train.Count} training and {test.Count} test signals"));
            var mlContext = new MLContext(seed: options.Seed);
            var interval = ProgressOption.Interval(r.GetValue(progressSeconds));
            var trained = CommandRunner.Checked(() => DenoisingModel.Train(mlContext, train, test, options, e => Console.WriteLine(Cli.EpochLine("optnet", e)),
                p => Console.WriteLine($"optnet {p}"), interval));
            DenoisingModel.Save(mlContext, trained, r.GetValue(model)!);
            Console.WriteLine($"saved {r.GetValue(model)} ({clock.Elapsed.TotalMinutes:F1} min in total)");
            Console.WriteLine(Cli.TestMseLine(DenoisingModel.Evaluate(mlContext, trained, test)));
            return 0;
        }));
        return command;
    }
}
