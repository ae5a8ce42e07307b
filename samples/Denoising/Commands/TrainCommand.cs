using System.CommandLine;
using Denoising.Model;
using DiffOpt.Samples;
using Microsoft.ML;

namespace Denoising.Commands;

/// <summary>
/// <c>train --data F.csv --model M.zip [--init tv|random] [--epochs E] [--lambda L]</c>: trains the learned
/// total-variation layer (DiffOpt.ML), by default from TV with λ tuned on the training split, and saves it.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file x0..x99,y0..y99", Required = true };
        var model = new Option<string>("--model") { Description = "Where to save the trained model (.zip)", Required = true };
        var init = new Option<string>("--init") { Description = "Start of D: tv (difference matrix, tuned lambda) or random", DefaultValueFactory = _ => "tv" };
        init.AcceptOnlyFromAmong("tv", "random");
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 10 };
        var lambda = new Option<double?>("--lambda") { Description = "Lambda (default: tuned on the training split)" };
        var seed = new Option<int>("--seed") { Description = "Seed", DefaultValueFactory = _ => 0 };
        var trainCount = new Option<int?>("--train-count") { Description = "Rows of the training split (default: first 90 %)" };
        var command = new Command("train", "Train the learned total-variation layer (DiffOpt.ML) and save it") { data, model, init, epochs, lambda, seed, trainCount };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            string path = r.GetValue(data)!;
            var (train, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(trainCount), path);
            var options = new DenoisingTrainingOptions
            {
                Init = r.GetValue(init) == "random" ? DenoisingInit.Random : DenoisingInit.TotalVariation,
                Epochs = r.GetValue(epochs), Lambda = r.GetValue(lambda), Seed = r.GetValue(seed),
            };
            var mlContext = new MLContext(seed: options.Seed);
            var trained = DenoisingModel.Train(mlContext, train, test, options, e => Console.WriteLine(Cli.EpochLine("optnet", e)));
            DenoisingModel.Save(mlContext, trained, r.GetValue(model)!);
            Console.WriteLine($"saved {r.GetValue(model)}");
            Console.WriteLine(Cli.TestMseLine(DenoisingModel.Evaluate(mlContext, trained, test)));
            return 0;
        }));
        return command;
    }
}
