using DiffOpt.Samples;
using System.CommandLine;
using SudokuStructuredPrediction.Baseline;
using SudokuStructuredPrediction.Evaluation;
using SudokuStructuredPrediction.Plotting;

namespace SudokuStructuredPrediction.Commands;

/// <summary>
/// <c>baseline --data F.csv --train-count N --epochs E [--plot P.png]</c>: trains the paper's convolutional
/// baseline on the first N rows and prints the test error on the rest after each epoch.
/// </summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file of puzzle,solution rows", Required = true };
        var trainCount = new Option<int?>("--train-count") { Description = "Train on the first N rows, test on the rest (default: first 90 %)" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 3 };
        var width = new Option<int>("--width") { Description = "Channels per hidden convolution (paper: 512)", DefaultValueFactory = _ => 512 };
        var depth = new Option<int>("--depth") { Description = "Hidden convolutions (paper: 10)", DefaultValueFactory = _ => 10 };
        var digitChannels = new Option<bool>("--digit-channels") { Description = "Digits as channels, sliding over the board (OptNet's code slides over column x digit)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights", DefaultValueFactory = _ => 1 };
        var plot = new Option<string?>("--plot") { Description = "Write the error-per-epoch plot to this PNG file" };
        var command = new Command("baseline", "Train and evaluate the convolutional baseline (TorchSharp)")
            { data, trainCount, epochs, width, depth, digitChannels, seed, plot };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var options = new ConvBaselineOptions
            {
                Epochs = r.GetValue(epochs), Width = r.GetValue(width), Depth = r.GetValue(depth),
                DigitsAsChannels = r.GetValue(digitChannels), Seed = r.GetValue(seed),
            };
            CommandRunner.Checked(() => { options.Validate(); return options; });
            Console.WriteLine($"conv baseline: {options.Depth} x {options.Width} channels, {train.Count} training and {test.Count} test boards, {TorchSharp.torch.get_num_threads()} threads");
            var (epochsRun, network) = ConvBaselineTrainer.Train(train, test, options, e => Console.WriteLine(Cli.EpochLine("conv", e)));
            network.Dispose();
            if (r.GetValue(plot) is { } png)
            {
                ErrorPlot.Save(png, [("conv baseline", epochsRun)]);
                Console.WriteLine($"plot: {png}");
            }
            Console.WriteLine(Cli.TestErrorLine(epochsRun[^1].Test));
            return 0;
        }));
        return command;
    }
}
