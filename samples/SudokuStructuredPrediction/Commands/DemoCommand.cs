using DiffOpt.Samples;
using System.CommandLine;
using Microsoft.ML;
using SudokuStructuredPrediction.Baseline;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;
using SudokuStructuredPrediction.Model;
using SudokuStructuredPrediction.Plotting;

namespace SudokuStructuredPrediction.Commands;

/// <summary>
/// The no-argument run: generate puzzles, train the OptNet model and the convolutional baseline, save the
/// OptNet model, load it back, evaluate it, print a solved board and plot the error per epoch of both.
/// Reads nothing outside what it generates.
/// </summary>
internal static class DemoCommand
{
    public static RootCommand Create()
    {
        var output = new Option<string>("--output") { Description = "Folder for the generated data, model and plot", DefaultValueFactory = _ => Path.Combine("out", "SudokuStructuredPrediction") };
        var count = new Option<int>("--count") { Description = "Puzzles to generate (first 90 % train, rest test; the size of the OptNet data set)", DefaultValueFactory = _ => 10000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data and the models", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of each model", DefaultValueFactory = _ => 3 };
        var baselineWidth = new Option<int>("--baseline-width") { Description = "Channels of the baseline's convolutions (paper: 512; smaller keeps the demo short)", DefaultValueFactory = _ => 64 };
        var root = new RootCommand("4x4 Sudoku as structured prediction with an OptNet layer (run with no arguments for the full demo)")
            { output, count, seed, epochs, baselineWidth };
        root.SetAction(r => CommandRunner.Run(() =>
            Run(r.GetValue(output)!, r.GetValue(count), r.GetValue(seed), r.GetValue(epochs), r.GetValue(baselineWidth))));
        return root;
    }

    private static int Run(string folder, int count, int seed, int epochs, int baselineWidth)
    {
        if (count < 2) throw new SampleException($"--count must be at least 2, got {count}");
        Directory.CreateDirectory(folder);
        string dataPath = Path.Combine(folder, "sudoku.csv"), modelPath = Path.Combine(folder, "optnet-sudoku.zip");
        var examples = new SudokuGenerator(seed).Generate(count);
        SudokuCsv.Write(dataPath, examples);
        var (train, test) = DataFile.Split(examples, null, dataPath);
        Console.WriteLine($"generated {count} puzzles ({ClueHistogram(examples)}) -> {dataPath}");

        var optnet = RunOptNet(train, test, epochs, seed, modelPath);

        var baselineOptions = new ConvBaselineOptions { Epochs = epochs, Seed = seed + 1, Width = baselineWidth };
        CommandRunner.Checked(() => { baselineOptions.Validate(); return baselineOptions; });
        Console.WriteLine($"conv baseline: {baselineOptions.Depth} x {baselineOptions.Width} channels{(baselineWidth == 512 ? "" : " (paper: 512; `baseline` runs the full size)")}, {train.Count} training and {test.Count} test boards");
        var (baseline, network) = ConvBaselineTrainer.Train(train, test, baselineOptions, e => Console.WriteLine(Cli.EpochLine("conv", e)));
        network.Dispose();

        string plotPath = Path.Combine(folder, "test-error.png");
        ErrorPlot.Save(plotPath, [("OptNet", optnet), ("conv baseline", baseline)]);
        Console.WriteLine($"plot: {plotPath}");
        Console.WriteLine(CommandRunner.Invariant($"test error after {epochs} epochs: OptNet {optnet[^1].Test.Error:F4}, conv baseline {baseline[^1].Test.Error:F4}"));
        return 0;
    }

    /// <summary>Trains, saves, reloads and evaluates the OptNet model, and prints the board it predicts for the first test puzzle.</summary>
    private static IReadOnlyList<EpochResult> RunOptNet(IReadOnlyList<SudokuExample> train, IReadOnlyList<SudokuExample> test,
        int epochs, int seed, string modelPath)
    {
        var mlContext = new MLContext(seed: seed);
        var results = new List<EpochResult>();
        Console.WriteLine($"OptNet (DiffOpt.ML QpLayer, A 40 x 64): {train.Count} training and {test.Count} test boards");
        var trained = SudokuModel.Train(mlContext, train, test, new SudokuTrainingOptions { Epochs = epochs, Seed = seed },
            e => { results.Add(e); Console.WriteLine(Cli.EpochLine("optnet", e)); }, p => Console.WriteLine($"optnet {p}"));
        SudokuModel.Save(mlContext, trained, modelPath);
        var loaded = SudokuModel.Load(new MLContext(seed: seed), modelPath);
        Console.WriteLine($"saved and reloaded {modelPath}");
        Console.WriteLine($"reloaded model: {Cli.TestErrorLine(SudokuModel.Evaluate(mlContext, loaded, test))}");
        PrintBoard("OptNet (reloaded)", test[0].Puzzle, SudokuModel.Predict(mlContext, loaded, test[0].Puzzle).ToBoard());
        return results;
    }

    private static void PrintBoard(string model, SudokuBoard puzzle, SudokuBoard predicted)
    {
        Console.WriteLine($"puzzle {puzzle}:");
        Console.WriteLine(puzzle.ToGrid());
        Console.WriteLine($"{model} prediction:");
        Console.WriteLine(predicted.ToGrid());
        Console.WriteLine(PredictCommand.Describe(puzzle, predicted));
    }

    private static string ClueHistogram(IEnumerable<SudokuExample> examples) =>
        string.Join(", ", examples.GroupBy(e => e.Puzzle.ClueCount).OrderBy(g => g.Key).Select(g => $"{g.Count()} with {g.Key} clues"));
}
