using System.Diagnostics;
using DiffOpt.Benchmarks.Common;

namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// Runs one problem in a child process of this program (<c>maros-meszaros --worker --problem NAME</c>), so
/// the time limit can be enforced by ending the child and no native memory carries over between problems.
/// </summary>
public static class WorkerProcess
{
    /// <summary>Time allowed on top of the limit for the child to start, load libtorch and warm up.</summary>
    private static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(60);

    /// <summary>Solves <paramref name="name"/> in a child process and returns its result, or a TimeLimit/Crashed record.</summary>
    public static ProblemResult Run(string dataDir, string accuracy, string name, ProblemRunner.Settings settings, int threads)
    {
        var output = Path.Combine(Path.GetTempPath(), $"diffopt-mm-{Environment.ProcessId}-{name}.json");
        File.Delete(output);
        var start = SelfStartInfo();
        foreach (var arg in new[]
        {
            "maros-meszaros", "--worker", "--data", dataDir, "--accuracy", accuracy, "--problem", name,
            "--json", output, "--time-limit", settings.TimeLimit.ToString("R"),
            "--max-iterations", settings.MaxIterations.ToString(), "--threads", threads.ToString(),
        })
            start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = TimeSpan.FromSeconds(settings.TimeLimit) + StartupGrace;
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ProblemResult { Name = name, Status = "TimeLimit", Seconds = settings.TimeLimit, Message = $"ended after {deadline.TotalSeconds:F0} s" };
        }
        process.WaitForExit(); // flush the asynchronous readers

        if (process.ExitCode != 0 || !File.Exists(output))
        {
            string tail;
            lock (stderr) tail = string.Join(" | ", stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
            return new ProblemResult { Name = name, Status = "Crashed", Seconds = settings.TimeLimit, Message = $"exit code {process.ExitCode}: {tail}" };
        }
        var report = JsonOutput.Read<MarosMeszarosReport>(output);
        File.Delete(output);
        return report.Problems.Single();
    }

    /// <summary>How to start this program again: its app host, or <c>dotnet</c> with its assembly.</summary>
    private static ProcessStartInfo SelfStartInfo()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running.");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        return start;
    }
}
