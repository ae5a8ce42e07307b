using System.CommandLine;
using DiffOpt.Benchmarks.Common;
using DiffOpt.Benchmarks.QpCase;
using DiffOpt.InteriorPoint;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.QpPhases;

/// <summary>
/// <c>qp-phases CASE.json --threads T --reps R --warmup W --json OUT.json</c>: where the milliseconds of forward +
/// backward of <see cref="QpFunction"/> go on a qpth peer case, per phase of the solve (exclusive wall time, from the
/// library's phase timer), and how far each modelled phase is from this machine's FLOP or bandwidth bound
/// (<see cref="MachineBounds"/>, <see cref="PhaseCostModel"/>).
/// </summary>
public static class QpPhasesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("case") { Description = "Case file (JSON) written by the peer's gen_qps.py --json." };
        var (threads, reps, warmup, json) = CommonOptions();
        var memory = new Option<bool>("--memory")
        {
            Description = "Also sample the working set every millisecond and book it to the phase running (says where the peak is reached; slows the run slightly).",
        };
        var command = new Command("qp-phases", "Per-phase time of forward+backward of QpFunction on a qpth peer case, against the machine's bounds.")
        {
            input, threads, reps, warmup, json, memory,
        };
        command.SetAction(parse => Run(parse.GetValue(input)!.FullName, parse.GetValue(threads), parse.GetValue(reps),
            parse.GetValue(warmup), parse.GetValue(json)?.FullName, parse.GetValue(memory)));
        return command;
    }

    /// <summary>The options every phase-table command takes: threads, recorded and unrecorded runs, and the JSON output.</summary>
    internal static (Option<int> Threads, Option<int> Reps, Option<int> Warmup, Option<FileInfo?> Json) CommonOptions()
    {
        var (threads, reps, warmup) = RunOptions.Create(reps: 5, repsDescription: "Recorded runs (phase times are averaged over them).", warmupDescription: "Unrecorded runs first.");
        return (threads, reps, warmup, new Option<FileInfo?>("--json") { Description = "Write the phase table to this file." });
    }

    /// <summary>One row of the phase table.</summary>
    public sealed record PhaseRow
    {
        /// <summary>Phase name (as the library's phase timer books it).</summary>
        public required string Phase { get; init; }
        /// <summary>Exclusive wall time per forward + backward run, ms.</summary>
        public double MsPerRun { get; init; }
        /// <summary>Share of the recorded total.</summary>
        public double Share { get; init; }
        /// <summary>Scopes per run.</summary>
        public double CallsPerRun { get; init; }
        /// <summary>Modelled GFLOP/s reached (null without a model).</summary>
        public double? Gflops { get; init; }
        /// <summary>Modelled GFLOP/s as a fraction of the machine's matrix-multiply rate.</summary>
        public double? FractionOfGemm { get; init; }
        /// <summary>Bytes streamed per second (residuals only), GB/s.</summary>
        public double? GBytesPerSecond { get; init; }
        /// <summary>GB/s as a fraction of the machine's copy bandwidth.</summary>
        public double? FractionOfBandwidth { get; init; }
        /// <summary>Largest working set sampled while the phase was the innermost one running, MB (null unless --memory).</summary>
        public double? WorkingSetMB { get; init; }
    }

    /// <summary>What <c>qp-phases --json</c> writes.</summary>
    public sealed record Report
    {
        /// <summary>Case name.</summary>
        public required string Case { get; init; }
        /// <summary>torch threads.</summary>
        public int Threads { get; init; }
        /// <summary>Recorded runs.</summary>
        public int Reps { get; init; }
        /// <summary>Median wall time of a recorded forward + backward run, ms.</summary>
        public double ForwardBackwardMs { get; init; }
        /// <summary>The machine's bounds measured in this process.</summary>
        public required MachineBounds Bounds { get; init; }
        /// <summary>The phases, largest first; "outside the timed phases" is the run's time no scope covered.</summary>
        public required PhaseRow[] Phases { get; init; }
        /// <summary>The process's peak working set at the end of the recorded runs (before the machine's bounds are measured), MB.</summary>
        public double PeakWorkingSetMB { get; init; }
    }

    private static int Run(string path, int threads, int reps, int warmup, string? jsonPath, bool trackMemory)
    {
        if (!RunOptions.CheckAndApply(threads, reps, warmup)) return 2;
        var data = QpCaseFile.Load(path);
        var inputs = new[] { "Q", "p", "G", "h", "A", "b" }.Select(data.Tensor).ToArray();
        var shape = new CaseShape(data.Name, data.Batch, data.N, data.M, data.P);
        return Measure(shape, inputs, data.Tensor("w"), reps, warmup, jsonPath, trackMemory);
    }

    /// <summary>Name and sizes of a measured case (batch B, n variables, m inequalities, p equalities).</summary>
    internal sealed record CaseShape(string Name, long Batch, long N, long M, long P);

    /// <summary>
    /// Measures forward + backward of <see cref="QpFunction"/> on <paramref name="inputs"/> (Q, p, G, h, A, b; the loss
    /// is Σ w·z), prints the phase table and writes it to <paramref name="jsonPath"/> when given. Threads must be set.
    /// <paramref name="differentiated"/> says which inputs require grad (all nonempty ones when null).
    /// </summary>
    internal static int Measure(CaseShape shape, Tensor[] inputs, Tensor w, int reps, int warmup, string? jsonPath, bool trackMemory,
        bool[]? differentiated = null)
    {
        int threads = torch.get_num_threads();
        var options = QpSolverOptions.Default;
        RunTimer.Measure(warmup, 0, collect: false, () => QpCaseCommand.Forward(inputs, options, w, backward: true, differentiated).Time);

        var recording = PhaseTimer.Start(trackMemory);
        RunTime[] runs;
        try
        {
            runs = RunTimer.Measure(0, reps, collect: false, () => QpCaseCommand.Forward(inputs, options, w, backward: true, differentiated).Time);
        }
        finally
        {
            PhaseTimer.Stop();
        }
        double peakWorkingSetMB = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / Megabyte;
        var bounds = MachineBounds.Measure();
        var report = new Report
        {
            Case = shape.Name, Threads = threads, Reps = reps,
            ForwardBackwardMs = Statistics.Median(runs.Select(r => r.WallMs).ToArray()),
            Bounds = bounds,
            Phases = Rows(recording, new PhaseCostModel(shape.N, shape.M, shape.P), bounds, reps, runs.Sum(r => r.WallMs)),
            PeakWorkingSetMB = peakWorkingSetMB,
        };
        Print(report, shape);
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        return 0;
    }

    private const double Megabyte = 1024.0 * 1024.0;

    private static PhaseRow[] Rows(PhaseTimer.Recording recording, PhaseCostModel model, MachineBounds bounds, int reps, double totalMs)
    {
        var rows = recording.Totals.Select(kv =>
        {
            var (phase, total) = (kv.Key, kv.Value);
            double seconds = total.Milliseconds / 1000.0;
            double? gflops = model.FlopsOf(phase) is { } flops && seconds > 0 ? flops * total.Items / seconds / 1e9 : null;
            double? bandwidth = phase == "residuals" && seconds > 0 ? model.ResidualBytes * total.Items / seconds / 1e9 : null;
            return new PhaseRow
            {
                Phase = phase, MsPerRun = total.Milliseconds / reps, Share = total.Milliseconds / totalMs, CallsPerRun = (double)total.Calls / reps,
                Gflops = gflops, FractionOfGemm = gflops / bounds.GemmGflops,
                GBytesPerSecond = bandwidth, FractionOfBandwidth = bandwidth / bounds.CopyGBytesPerSecond,
                WorkingSetMB = recording.WorkingSetPeaks.TryGetValue(phase, out long bytes) ? bytes / Megabyte : null,
            };
        }).ToList();
        double outside = totalMs - recording.Totals.Values.Sum(t => t.Milliseconds);
        rows.Add(new PhaseRow
        {
            Phase = PhaseTimer.Outside, MsPerRun = outside / reps, Share = outside / totalMs,
            WorkingSetMB = recording.WorkingSetPeaks.TryGetValue(PhaseTimer.Outside, out long bytes) ? bytes / Megabyte : null,
        });
        return rows.OrderByDescending(r => r.MsPerRun).ToArray();
    }

    private static void Print(Report report, CaseShape data)
    {
        Console.WriteLine(FormattableString.Invariant(
            $"{report.Case} B={data.Batch} n={data.N} m={data.M} p={data.P} threads={report.Threads}: forward+backward {report.ForwardBackwardMs:F1} ms (median of {report.Reps}); machine: dgemm {report.Bounds.GemmGflops:F1} GFLOP/s, copy {report.Bounds.CopyGBytesPerSecond:F1} GB/s"));
        Console.WriteLine(FormattableString.Invariant($"peak working set {report.PeakWorkingSetMB:F0} MB"));
        Console.WriteLine("| phase | ms per run | share | calls per run | GFLOP/s (of dgemm) | GB/s (of copy) | peak working set in phase, MB |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in report.Phases)
        {
            string flops = row.Gflops is { } g ? FormattableString.Invariant($"{g:F2} ({row.FractionOfGemm:P0})") : "";
            string bytes = row.GBytesPerSecond is { } b ? FormattableString.Invariant($"{b:F2} ({row.FractionOfBandwidth:P0})") : "";
            string memory = row.WorkingSetMB is { } mb ? FormattableString.Invariant($"{mb:F0}") : "";
            Console.WriteLine(FormattableString.Invariant($"| {row.Phase} | {row.MsPerRun:F2} | {row.Share:P1} | {row.CallsPerRun:F1} | {flops} | {bytes} | {memory} |"));
        }
    }
}
