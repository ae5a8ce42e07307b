using DiffOpt.Samples;
using System.CommandLine;
using SudokuStructuredPrediction.Data;

namespace SudokuStructuredPrediction.Commands;

/// <summary><c>generate --count N --seed S --out F.csv</c>: writes seeded puzzles in the <c>puzzle,solution</c> format.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Number of puzzles", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
        var minClues = new Option<int>("--min-clues") { Description = "Fewest clues", DefaultValueFactory = _ => 4 };
        var maxClues = new Option<int>("--max-clues") { Description = "Most clues", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--out") { Description = "Output CSV file", Required = true };
        var command = new Command("generate", "Generate 4x4 puzzles with a unique solution") { count, seed, minClues, maxClues, output };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            var generator = CommandRunner.Checked(() => new SudokuGenerator(r.GetValue(seed), r.GetValue(minClues), r.GetValue(maxClues)));
            var examples = generator.Generate(Math.Max(0, r.GetValue(count)));
            SudokuCsv.Write(r.GetValue(output)!, examples);
            Console.WriteLine($"wrote {examples.Count} puzzles to {r.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
