using System.CommandLine;
using Denoising.Model;
using DiffOpt.Samples;
using Microsoft.ML;

namespace Denoising.Commands;

/// <summary><c>evaluate --data F.csv --model M.zip</c>: loads a saved model and scores the test split (rows after the first 90 %, or after --skip).</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file x0..x99,y0..y99", Required = true };
        var model = new Option<string>("--model") { Description = "Model saved by train (.zip)", Required = true };
        var skip = new Option<int?>("--skip") { Description = "Skip the first N rows (default: the first 90 %, the training split)" };
        var command = new Command("evaluate", "Evaluate a saved denoising model") { data, model, skip };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            var mlContext = new MLContext(seed: 0);
            var trained = DenoisingModel.Load(mlContext, r.GetValue(model)!);
            string path = r.GetValue(data)!;
            var (_, test) = DataFile.Split(Cli.ReadData(path), r.GetValue(skip), path);
            Console.WriteLine($"{test.Count} test signals");
            Console.WriteLine(Cli.TestMseLine(DenoisingModel.Evaluate(mlContext, trained, test)));
            return 0;
        }));
        return command;
    }
}
