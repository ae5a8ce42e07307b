using System.CommandLine;
using Denoising.Baseline;
using DiffOpt.Samples;

namespace Denoising.Commands;

/// <summary><c>fc-baseline --data F.csv [--epochs E]</c>: the fully connected network (100-1000-100) of the paper's Table 1.</summary>
internal static class FcBaselineCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file x0..x99,y0..y99", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 100 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units (paper: 1000)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights", DefaultValueFactory = _ => 1 };
        var trainCount = new Option<int?>("--train-count") { Description = "Rows of the training split (default: first 90 %)" };
        var command = new Command("fc-baseline", "Train and evaluate the fully connected baseline (TorchSharp)") { data, epochs, hidden, seed, trainCount };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var options = new FullyConnectedOptions { Epochs = r.GetValue(epochs), Hidden = r.GetValue(hidden), Seed = r.GetValue(seed) };
            CommandRunner.Checked(() => { options.Validate(); return options; });
            var (results, network) = FullyConnectedTrainer.Train(train, test, options, e => Console.WriteLine(Cli.EpochLine("fc", e)));
            network.Dispose();
            Console.WriteLine(CommandRunner.Invariant($"fc: {results.Sum(e => e.Seconds):F1} s training in total"));
            Console.WriteLine(Cli.TestMseLine(results[^1].TestMse));
            return 0;
        }));
        return command;
    }
}
