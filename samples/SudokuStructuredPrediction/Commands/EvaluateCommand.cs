using DiffOpt.Samples;
using System.CommandLine;
using Microsoft.ML;
using SudokuStructuredPrediction.Model;

namespace SudokuStructuredPrediction.Commands;

/// <summary><c>evaluate --data F.csv --skip N --model M.zip</c>: loads a saved model and scores the rows after the first N.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "CSV file of puzzle,solution rows", Required = true };
        var skip = new Option<int>("--skip") { Description = "Skip the first N rows (the training split)", DefaultValueFactory = _ => 0 };
        var model = new Option<string>("--model") { Description = "Model saved by train (.zip)", Required = true };
        var command = new Command("evaluate", "Evaluate a saved model by the paper's rule") { data, skip, model };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            var mlContext = new MLContext(seed: 0);
            var trained = SudokuModel.Load(mlContext, r.GetValue(model)!);
            string path = r.GetValue(data)!;
            var rows = Cli.ReadData(path);
            int n = r.GetValue(skip);
            if (n < 0 || n >= rows.Count)
                throw new SampleException($"data file '{path}' has {rows.Count} rows; --skip {n} leaves none to evaluate");
            var evaluation = SudokuModel.Evaluate(mlContext, trained, rows.Skip(n).ToList());
            Console.WriteLine(CommandRunner.Invariant($"boards: {evaluation.Boards}, unsolved: {evaluation.Unsolved}, different from the stored solution: {evaluation.Mismatched}"));
            Console.WriteLine(Cli.TestErrorLine(evaluation));
            return 0;
        }));
        return command;
    }
}
