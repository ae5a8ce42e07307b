using System.CommandLine;
using System.Diagnostics;
using DiffOpt.Benchmarks.Common;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.QpCase;

/// <summary>
/// <c>qp-case CASE.json --threads T --reps R --warmup W --json OUT.json</c>: times our differentiable QP layer on a
/// case of the qpth peer harness, the same way its <c>qp_peer.py</c> times qpth: median wall time of the forward
/// (<see cref="QpFunction.Apply"/> on inputs that require grad) and of forward + backward of L = sum(w * z), over R
/// runs after W warm-ups, with <c>torch.set_num_threads(T)</c>.
/// </summary>
public static class QpCaseCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("case") { Description = "Case file (JSON) written by the peer's gen_qps.py --json." };
        var (threads, reps, warmup) = RunOptions.Create();
        var tolerance = new Option<double?>("--tolerance") { Description = "Solver absolute tolerance (default: QpSolverOptions' default)." };
        var relativeTolerance = new Option<double?>("--relative-tolerance") { Description = "Solver relative tolerance (default: QpSolverOptions' default)." };
        var noPolish = new Option<bool>("--no-polish") { Description = "Return the interior-point iterate without polishing (QpSolverOptions.Polish = false)." };
        var collect = new Option<bool>("--collect-between-runs")
        {
            Description = "Run a full .NET garbage collection (with finalizers) between runs, outside the timed region.",
        };
        var json = new Option<FileInfo?>("--json") { Description = "Write timings, statuses and z to this file." };
        var noWorkspace = new Option<bool>("--no-workspace")
        {
            Description = "Give every call fresh work memory instead of one QpWorkspace kept across the runs (as a layer keeps its own).",
        };
        var command = new Command("qp-case", "Time forward and forward+backward of QpFunction on a qpth peer case.")
        {
            input, threads, reps, warmup, tolerance, relativeTolerance, noPolish, collect, json, noWorkspace,
        };
        command.SetAction(parse =>
        {
            var options = QpSolverOptions.Default;
            if (parse.GetValue(tolerance) is { } tol) options = options with { Tolerance = tol };
            if (parse.GetValue(relativeTolerance) is { } rel) options = options with { RelativeTolerance = rel };
            if (parse.GetValue(noPolish)) options = options with { Polish = false };
            using var workspace = parse.GetValue(noWorkspace) ? null : new QpWorkspace();
            return Run(parse.GetValue(input)!.FullName, parse.GetValue(threads), parse.GetValue(reps), parse.GetValue(warmup),
                options, parse.GetValue(collect), parse.GetValue(json)?.FullName, workspace);
        });
        return command;
    }

    /// <summary>What <c>qp-case --json</c> writes.</summary>
    public sealed record Report
    {
        /// <summary>Case name.</summary>
        public required string Case { get; init; }
        /// <summary>Batch size.</summary>
        public long B { get; init; }
        /// <summary>Variables.</summary>
        public long N { get; init; }
        /// <summary>Inequality rows.</summary>
        public long M { get; init; }
        /// <summary>Equality rows.</summary>
        public long P { get; init; }
        /// <summary>torch threads.</summary>
        public int Threads { get; init; }
        /// <summary>Timed runs.</summary>
        public int Reps { get; init; }
        /// <summary>Warm-up runs.</summary>
        public int Warmup { get; init; }
        /// <summary>Median forward time in ms.</summary>
        public double ForwardMs { get; init; }
        /// <summary>Median forward + backward time in ms.</summary>
        public double ForwardBackwardMs { get; init; }
        /// <summary>Median CPU time of this process during a forward run, ms.</summary>
        public double ForwardCpuMs { get; init; }
        /// <summary>Median CPU time of this process during a forward + backward run, ms.</summary>
        public double ForwardBackwardCpuMs { get; init; }
        /// <summary>Every timed forward run, ms.</summary>
        public required double[] ForwardAllMs { get; init; }
        /// <summary>Every timed forward + backward run, ms.</summary>
        public required double[] ForwardBackwardAllMs { get; init; }
        /// <summary>CPU time of this process in every timed forward run, ms.</summary>
        public required double[] ForwardAllCpuMs { get; init; }
        /// <summary>Minor page faults of this process in every timed forward run.</summary>
        public required long[] ForwardAllMinorFaults { get; init; }
        /// <summary>This process's CPU time during each timed forward + backward run, ms.</summary>
        public required double[] ForwardBackwardAllCpuMs { get; init; }
        /// <summary>This process's minor page faults during each timed forward + backward run.</summary>
        public required long[] ForwardBackwardAllMinorFaults { get; init; }
        /// <summary>Peak working set of this whole process (runtime, libtorch and case data included), MB.</summary>
        public double PeakWorkingSetMB { get; init; }
        /// <summary>Mean interior-point iterations over the batch (from one extra untimed solve).</summary>
        public double MeanIterations { get; init; }
        /// <summary>Largest iteration count over the batch.</summary>
        public int MaxIterations { get; init; }
        /// <summary>Number of items per status.</summary>
        public required Dictionary<string, int> Status { get; init; }
        /// <summary>Solver absolute tolerance used.</summary>
        public double Tolerance { get; init; }
        /// <summary>Solver relative tolerance used.</summary>
        public double RelativeTolerance { get; init; }
        /// <summary>Whether a full garbage collection ran between runs.</summary>
        public bool CollectBetweenRuns { get; init; }
        /// <summary>The solutions z* (B,n) from the last forward + backward run.</summary>
        public required double[][] Z { get; init; }
    }

    private static int Run(string path, int threads, int reps, int warmup, QpSolverOptions options, bool collect, string? jsonPath,
        QpWorkspace? workspace)
    {
        if (!RunOptions.CheckAndApply(threads, reps, warmup)) return 2;
        options.Validate();
        var data = QpCaseFile.Load(path);
        var inputs = new[] { "Q", "p", "G", "h", "A", "b" }.Select(data.Tensor).ToArray();
        var w = data.Tensor("w");

        var forward = RunTimer.Measure(warmup, reps, collect, () => Forward(inputs, options, w, backward: false, workspace: workspace).Time);
        var forwardBackward = RunTimer.Measure(warmup, reps, collect, () => Forward(inputs, options, w, backward: true, workspace: workspace).Time);

        double[][] z;
        using (var scope = NewDisposeScope())
            z = RunTimer.ToRows(Forward(inputs, options, w, backward: true, workspace: workspace).Z);
        var solution = new QpSolver(options).Solve(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]);

        var report = new Report
        {
            Case = data.Name, B = data.Batch, N = data.N, M = data.M, P = data.P,
            Threads = threads, Reps = reps, Warmup = warmup,
            ForwardMs = Statistics.Median(forward.Select(t => t.WallMs).ToArray()),
            ForwardBackwardMs = Statistics.Median(forwardBackward.Select(t => t.WallMs).ToArray()),
            ForwardAllMs = forward.Select(t => t.WallMs).ToArray(),
            ForwardBackwardAllMs = forwardBackward.Select(t => t.WallMs).ToArray(),
            ForwardAllCpuMs = forward.Select(t => t.CpuMs).ToArray(),
            ForwardAllMinorFaults = forward.Select(t => t.MinorFaults).ToArray(),
            ForwardBackwardAllCpuMs = forwardBackward.Select(t => t.CpuMs).ToArray(),
            ForwardBackwardAllMinorFaults = forwardBackward.Select(t => t.MinorFaults).ToArray(),
            ForwardCpuMs = Statistics.Median(forward.Select(t => t.CpuMs).ToArray()),
            ForwardBackwardCpuMs = Statistics.Median(forwardBackward.Select(t => t.CpuMs).ToArray()),
            PeakWorkingSetMB = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            MeanIterations = solution.Iterations.Average(),
            MaxIterations = solution.Iterations.Max(),
            Status = solution.Status.GroupBy(s => s.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            Tolerance = options.Tolerance,
            RelativeTolerance = options.RelativeTolerance,
            CollectBetweenRuns = collect,
            Z = z,
        };
        var status = string.Join(" ", report.Status.Select(kv => $"{kv.Key}={kv.Value}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{report.Case} B={report.B} n={report.N} m={report.M} p={report.P} threads={threads}: forward {report.ForwardMs:F2} ms (CPU {report.ForwardCpuMs:F2}), forward+backward {report.ForwardBackwardMs:F2} ms (CPU {report.ForwardBackwardCpuMs:F2}) (median of {reps} after {warmup} warm-up), iterations mean {report.MeanIterations:F1} max {report.MaxIterations}, status {status}, peak working set {report.PeakWorkingSetMB:F0} MB"));
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        return 0;
    }

    /// <summary>
    /// One run on fresh leaves that require grad (those with entries, as the peer does); returns z* detached, the
    /// wall time and the CPU time of this process in ms. The leaves are made before the clocks start.
    /// </summary>
    internal static (Tensor Z, RunTime Time) Forward(Tensor[] inputs, QpSolverOptions options, Tensor w, bool backward, bool[]? differentiated = null,
        QpWorkspace? workspace = null)
    {
        var leaves = inputs.Select((t, i) => t.detach().clone().requires_grad_(t.numel() > 0 && (differentiated?[i] ?? true))).ToArray();
        Tensor z = null!;
        var time = RunTimer.Time(() =>
        {
            z = QpFunction.Apply(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], leaves[5], options, workspace: workspace);
            if (backward) (w * z).sum().backward();
        });
        return (z.detach(), time);
    }
}
