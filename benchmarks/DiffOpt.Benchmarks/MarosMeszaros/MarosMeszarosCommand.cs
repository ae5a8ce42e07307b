using System.CommandLine;
using System.Globalization;
using DiffOpt.Benchmarks.Common;
using TorchSharp;

namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// <c>maros-meszaros --data DIR --accuracy low|mid|high --json OUT.json [--problem NAME]</c>: solves the
/// Maros-Meszaros dense subset one problem at a time, prints one line per problem and qpbenchmark's summary,
/// and writes x, z, y, z_box with the README residuals so anyone can recompute them.
/// </summary>
public static class MarosMeszarosCommand
{
    private const double TimeShift = 10.0;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with the problem files NAME.json (and index.json).", Required = true };
        var accuracy = new Option<string>("--accuracy") { Description = "low (1e-3), mid (1e-6) or high (1e-9).", Required = true };
        accuracy.AcceptOnlyFromAmong(Accuracy.Names);
        var json = new Option<FileInfo?>("--json") { Description = "Write the report (residuals and x, z, y, zBox per problem) to this file." };
        var problem = new Option<string?>("--problem") { Description = "Solve only this problem." };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds per problem; slower counts as failed (qpbenchmark: 1000).", DefaultValueFactory = _ => 1000 };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Solver iteration limit.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads.", DefaultValueFactory = _ => 1 };
        var inProcess = new Option<bool>("--in-process")
        {
            Description = "Solve in this process instead of one child process per problem (the time limit is then only checked afterwards).",
        };

        // The child process of an isolated run: in-process, and silent apart from the JSON it writes.
        var worker = new Option<bool>("--worker") { Hidden = true };

        var command = new Command("maros-meszaros", "Solve the Maros-Meszaros dense subset and judge it by qpbenchmark's criteria.")
        {
            data, accuracy, json, problem, timeLimit, maxIterations, threads, inProcess, worker,
        };
        command.SetAction(parse => Run(
            parse.GetValue(data)!.FullName, parse.GetValue(accuracy)!, parse.GetValue(json)?.FullName, parse.GetValue(problem),
            new ProblemRunner.Settings(Accuracy.Tolerance(parse.GetValue(accuracy)!), parse.GetValue(maxIterations), parse.GetValue(timeLimit)),
            parse.GetValue(threads), parse.GetValue(inProcess) || parse.GetValue(worker), quiet: parse.GetValue(worker)));
        return command;
    }

    private static int Run(string dataDir, string accuracy, string? jsonPath, string? only, ProblemRunner.Settings settings, int threads, bool inProcess, bool quiet)
    {
        if (settings.TimeLimit <= 0 || settings.MaxIterations < 1 || threads < 1)
        {
            Console.Error.WriteLine("--time-limit must be positive, --max-iterations and --threads at least 1.");
            return 2;
        }
        var names = ProblemNames(dataDir, only);
        if (names.Count == 0)
        {
            Console.Error.WriteLine(only is null ? $"No problem files in {dataDir}." : $"No problem {only} in {dataDir}.");
            return 2;
        }
        if (!quiet)
            Console.WriteLine($"# maros-meszaros: {names.Count} problems, accuracy {accuracy} (tol {Format(settings.Tolerance)}), time limit {settings.TimeLimit} s, max iterations {settings.MaxIterations}, {threads} thread(s)");

        if (inProcess)
        {
            torch.set_num_threads(threads);
            ProblemRunner.WarmUp();
        }
        var results = new List<ProblemResult>();
        foreach (var name in names)
        {
            var result = inProcess
                ? ProblemRunner.Solve(MarosMeszarosProblem.Load(Path.Combine(dataDir, name + ".json")), settings)
                : WorkerProcess.Run(dataDir, accuracy, name, settings, threads);
            results.Add(result);
            if (!quiet) Console.WriteLine(Line(result));
        }

        var report = Summarize(accuracy, settings, threads, results);
        if (!quiet)
        {
            Console.WriteLine(
                $"solved {report.Solved}/{report.Total} ({Percent(report.Solved, report.Total)}%) at {Format(settings.Tolerance)}; " +
                $"shifted geometric mean time {report.ShiftedGeometricMeanSeconds.ToString("F3", CultureInfo.InvariantCulture)} s");
            Console.WriteLine($"# failures are counted at the time limit ({settings.TimeLimit} s) in the mean; shift {TimeShift} s. " +
                              $"Dishonest (solver said Solved, README residuals miss): {report.Dishonest}" +
                              (report.Dishonest > 0 ? " — " + string.Join(", ", results.Where(r => r.Dishonest).Select(r => r.Name)) : ""));
        }
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        return 0;
    }

    private static List<string> ProblemNames(string dataDir, string? only)
    {
        var names = Directory.EnumerateFiles(dataDir, "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && n != "index")
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToList();
        return only is null ? names : names.Where(n => n == only).ToList();
    }

    private static MarosMeszarosReport Summarize(string accuracy, ProblemRunner.Settings settings, int threads, List<ProblemResult> results)
    {
        // qpbenchmark charges a failed problem the full time limit.
        var times = results.Select(r => r.Success ? r.Seconds : settings.TimeLimit).ToList();
        return new MarosMeszarosReport
        {
            Accuracy = accuracy,
            Tolerance = settings.Tolerance,
            TimeLimit = settings.TimeLimit,
            MaxIterations = settings.MaxIterations,
            Threads = threads,
            Total = results.Count,
            Solved = results.Count(r => r.Success),
            Dishonest = results.Count(r => r.Dishonest),
            ShiftedGeometricMeanSeconds = Statistics.ShiftedGeometricMean(times, TimeShift),
            Problems = results,
        };
    }

    private static string Line(ProblemResult r)
    {
        var line = FormattableString.Invariant(
            $"{r.Name,-10} n={r.N,4} m={r.M,4} p={r.P,4}  {r.Status,-16} it={r.Iterations,4} {r.Seconds,9:F3} s  ");
        line += $"prim={Sci(r.PrimalResidual)} dual={Sci(r.DualResidual)} gap={Sci(r.DualityGap)}  {(r.Success ? "ok" : "FAIL")}";
        if (r.Dishonest) line += "  DISHONEST";
        if (r.Message is not null) line += $"  ({r.Message})";
        return line;
    }

    private static string Sci(double? v) => v is null ? "   -   " : v.Value.ToString("0.0e+00", CultureInfo.InvariantCulture);

    private static string Format(double tolerance) => tolerance.ToString("0e0", CultureInfo.InvariantCulture);

    private static string Percent(int k, int n) => (100.0 * k / n).ToString("F1", CultureInfo.InvariantCulture);
}
