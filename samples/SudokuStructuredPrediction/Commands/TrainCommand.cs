using DiffOpt.Samples;
using System.CommandLine;
using Microsoft.ML;
using SudokuStructuredPrediction.Model;

namespace SudokuStructuredPrediction.Commands;

/// <summary>
/// <c>train --data F.csv --train-count N --epochs E --model M.zip</c>: trains the OptNet model on the first N
/// rows, prints per-epoch loss and test error on the rest, saves with <c>mlContext.Model.Save</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file of puzzle,solution rows", Required = true };
        var trainCount = new Option<int?>("--train-count") { Description = "Train on the first N rows, test on the rest (default: first 90 %)" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 3 };
        var model = new Option<string>("--model") { Description = "Where to save the trained model (.zip)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights", DefaultValueFactory = _ => 0 };
        var progressSeconds = ProgressOption.Create();
        var command = new Command("train", "Train the OptNet Sudoku model (DiffOpt.ML) and save it") { data, trainCount, epochs, model, seed, progressSeconds };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var mlContext = new MLContext(seed: r.GetValue(seed));
            var options = new SudokuTrainingOptions { Epochs = r.GetValue(epochs), Seed = r.GetValue(seed) };
            var interval = ProgressOption.Interval(r.GetValue(progressSeconds));
            var trained = CommandRunner.Checked(() => SudokuModel.Train(mlContext, train, test, options, e => Console.WriteLine(Cli.EpochLine("optnet", e)),
                p => Console.WriteLine($"optnet {p}"), interval));
            SudokuModel.Save(mlContext, trained, r.GetValue(model)!);
            Console.WriteLine($"saved {r.GetValue(model)}");
            Console.WriteLine(Cli.TestErrorLine(SudokuModel.Evaluate(mlContext, trained, test)));
            return 0;
        }));
        return command;
    }
}
