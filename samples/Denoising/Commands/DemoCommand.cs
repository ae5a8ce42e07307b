using System.CommandLine;
using Denoising.Baseline;
using Denoising.Data;
using Denoising.Model;
using Denoising.Plotting;
using Denoising.TotalVariation;
using DiffOpt.Samples;
using Microsoft.ML;
using static TorchSharp.torch;

namespace Denoising.Commands;

/// <summary>
/// The no-argument run: generate signals, tune and run total variation, train the fully connected baseline and
/// the learned layer (saved and loaded back), and plot a test signal with every reconstruction. Reads nothing
/// outside what it generates.
/// </summary>
internal static class DemoCommand
{
    public static RootCommand Create()
    {
        var output = new Option<string>("--output") { Description = "Folder for the generated data and plot", DefaultValueFactory = _ => Path.Combine("out", "Denoising") };
        var count = new Option<int>("--count") { Description = "Signals to generate (first 90 % train, rest test)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data and the models", DefaultValueFactory = _ => 0 };
        var fcEpochs = new Option<int>("--fc-epochs") { Description = "Epochs of the fully connected baseline", DefaultValueFactory = _ => 30 };
        var sweepCount = new Option<int>("--sweep-count") { Description = "Training signals used to tune lambda (the QP sweep is the slow part)", DefaultValueFactory = _ => 100 };
        var root = new RootCommand("1-D signal denoising with a learned total-variation (OptNet) layer (run with no arguments for the demo)")
            { output, count, seed, fcEpochs, sweepCount };
        root.SetAction(r => CommandRunner.Run(() =>
            Run(r.GetValue(output)!, r.GetValue(count), r.GetValue(seed), r.GetValue(fcEpochs), r.GetValue(sweepCount))));
        return root;
    }

    private static int Run(string folder, int count, int seed, int fcEpochs, int sweepCount)
    {
        if (count < 2) throw new SampleException($"--count must be at least 2, got {count}");
        string dataPath = Path.Combine(folder, "denoising.csv");
        var examples = new SignalGenerator(seed).Generate(count);
        SignalCsv.Write(dataPath, examples);
        var (train, test) = DataFile.Split(examples, null, dataPath);
        Console.WriteLine($"generated {count} signals -> {dataPath}");

        var denoiser = new TotalVariationDenoiser();
        if (sweepCount < 1) throw new SampleException($"--sweep-count must be positive, got {sweepCount}");
        double lambda = TvBaselineCommand.Tune(denoiser, train.Take(sweepCount).ToList(), LambdaSweep.DefaultGrid);
        using var testNoisy = SignalTensors.Noisy(test);
        using var testClean = SignalTensors.Clean(test);
        using var tv = denoiser.Denoise(testNoisy, lambda);
        double tvMse = SignalMetrics.MeanSquaredError(tv, testClean);
        Console.WriteLine(CommandRunner.Invariant($"total variation (lambda {lambda:F2}): test mse {tvMse:F4}"));

        var fcOptions = new FullyConnectedOptions { Epochs = fcEpochs, Seed = seed + 1 };
        CommandRunner.Checked(() => { fcOptions.Validate(); return fcOptions; });
        var (fcEpochsRun, network) = FullyConnectedTrainer.Train(train, test, fcOptions,
            e => { if (e.Epoch % 10 == 0 || e.Epoch == fcOptions.Epochs) Console.WriteLine(Cli.EpochLine("fc", e)); });
        using var fc = FullyConnectedTrainer.Predict(network, testNoisy);
        network.Dispose();

        var series = new List<(string, float[])>
        {
            ("noisy", test[0].Noisy), ("clean", test[0].Clean),
            (CommandRunner.Invariant($"total variation, λ = {lambda:F2}"), SignalTensors.Row(tv, 0)),
            ("fully connected", SignalTensors.Row(fc, 0)),
        };
        var (learnedSignal, learnedMse) = RunLearnedLayer(train, test, lambda, seed, Path.Combine(folder, "learned-tv.zip"));
        series.Add(("learned TV layer (OptNet)", learnedSignal));

        string plotPath = Path.Combine(folder, "test-signal.png");
        SignalPlot.Save(plotPath, "Denoising: first test signal", series);
        Console.WriteLine($"plot: {plotPath}");
        Console.WriteLine(CommandRunner.Invariant($"test mse: noisy input {SignalMetrics.MeanSquaredError(testNoisy, testClean):F4}, total variation {tvMse:F4}, fully connected {fcEpochsRun[^1].TestMse:F4}, learned TV layer {learnedMse:F4}"));
        return 0;
    }

    /// <summary>
    /// A short training of the learned layer from TV at the tuned λ; saves it, loads it back and returns the loaded
    /// model's reconstruction of the first test signal and its test MSE.
    /// </summary>
    private static (float[] FirstSignal, double TestMse) RunLearnedLayer(IReadOnlyList<SignalExample> train, IReadOnlyList<SignalExample> test,
        double lambda, int seed, string modelPath)
    {
        var mlContext = new MLContext(seed: seed);
        var options = new DenoisingTrainingOptions { Epochs = 2, Lambda = lambda, Seed = seed };
        Console.WriteLine(CommandRunner.Invariant($"learned TV layer (DiffOpt.ML QpLayer: D 99 x 100, lambda and adaptive weights learned) from total variation, Adam lr {options.DefaultLearningRate:G3}, {options.Epochs} epochs"));
        var model = DenoisingModel.Train(mlContext, train, test, options, e => Console.WriteLine(Cli.EpochLine("learned", e)),
            p => Console.WriteLine($"learned {p}"));
        DenoisingModel.Save(mlContext, model, modelPath);
        var loaded = DenoisingModel.Load(new MLContext(seed: seed), modelPath);
        Console.WriteLine($"saved and reloaded {modelPath}");
        return (DenoisingModel.Predict(mlContext, loaded, test[0].Noisy).Score, DenoisingModel.Evaluate(mlContext, loaded, test));
    }
}
