using System.CommandLine;
using Denoising.Data;
using DiffOpt.Samples;

namespace Denoising.Commands;

/// <summary><c>generate --count N --seed S --out F.csv</c>: writes seeded signals in the OptNet CSV format.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Number of signals", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output CSV file", Required = true };
        var command = new Command("generate", "Generate piecewise-constant signals with Gaussian noise") { count, seed, output };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            var examples = new SignalGenerator(r.GetValue(seed)).Generate(Math.Max(0, r.GetValue(count)));
            SignalCsv.Write(r.GetValue(output)!, examples);
            Console.WriteLine($"wrote {examples.Count} signals to {r.GetValue(output)}");
            return 0;
        }));
        return command;
    }
}
