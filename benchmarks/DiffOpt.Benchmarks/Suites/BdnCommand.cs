using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// <c>bdn [BenchmarkDotNet arguments]</c>, e.g. <c>bdn --filter '*'</c>: runs the BenchmarkDotNet suites of the solver's
/// building blocks. Short runs (1 launch, 3 warm-ups, 3 iterations) in this process, 1 torch thread.
/// </summary>
public static class BdnCommand
{
    /// <summary>Builds the command; every token after <c>bdn</c> goes to BenchmarkDotNet.</summary>
    public static Command Create()
    {
        var command = new Command("bdn", "Run the BenchmarkDotNet suites (pass BenchmarkDotNet arguments, e.g. --filter '*').")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse =>
        {
            // In-process: the suites need the native libtorch next to this program, which a generated project would not get.
            var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance);
            var config = DefaultConfig.Instance.AddJob(job);
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(BdnCommand).Assembly).Run(parse.UnmatchedTokens.ToArray(), config);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        });
        return command;
    }
}
