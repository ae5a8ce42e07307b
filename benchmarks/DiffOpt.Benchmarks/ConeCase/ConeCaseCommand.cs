using System.CommandLine;
using System.Diagnostics;
using DiffOpt.Benchmarks.Common;
using DiffOpt.Cones;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConeCase;

/// <summary>
/// <c>cone-case CASE.json</c>: times the forward pass of <see cref="ConeProgramFunction"/> and forward plus the adjoint
/// of L = Σ w·x* on a batch of cone programs from the cvxpylayers peer's <c>gen_cones.py</c>, as its
/// <c>cone_peer.py</c> times diffcp on the same file, and writes x* for the comparison of answers.
/// </summary>
public static class ConeCaseCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("case") { Description = "Case file (JSON) written by the peer's gen_cones.py." };
        var (threads, reps, warmup) = RunOptions.Create();
        var json = new Option<FileInfo?>("--json") { Description = "Write timings, statuses and x to this file." };
        var tolerance = new Option<double?>("--tolerance") { Description = "Absolute and relative tolerance of the solver (default: the solver's, 1e-8)." };
        var polish = new Option<int?>("--polish") { Description = "Polish iterations of the solver, with or without an exponential cone (default: the solver's, 2 and 3)." };
        var phases = new Option<bool>("--phases") { Description = "Also time the phases (solve, derivative set-up, adjoint) separately." };
        var command = new Command("cone-case", "Time forward and forward+backward of ConeProgramFunction on a cvxpylayers peer case.")
        {
            input, threads, reps, warmup, json, phases, tolerance, polish,
        };
        command.SetAction(parse => Run(parse.GetValue(input)!.FullName, parse.GetValue(threads), parse.GetValue(reps), parse.GetValue(warmup),
            parse.GetValue(json)?.FullName, parse.GetValue(phases), parse.GetValue(tolerance), parse.GetValue(polish)));
        return command;
    }

    /// <summary>What <c>cone-case --json</c> writes.</summary>
    public sealed record Report
    {
        /// <summary>Case name.</summary>
        public required string Case { get; init; }
        /// <summary>Batch size.</summary>
        public long B { get; init; }
        /// <summary>Variables.</summary>
        public long N { get; init; }
        /// <summary>Rows of A.</summary>
        public long M { get; init; }
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
        /// <summary>Median process CPU time of forward + backward in ms (less disturbed than wall time on a shared machine).</summary>
        public double ForwardBackwardCpuMs { get; init; }
        /// <summary>Every timed forward run, ms.</summary>
        public required double[] ForwardAllMs { get; init; }
        /// <summary>Every timed forward + backward run, ms.</summary>
        public required double[] ForwardBackwardAllMs { get; init; }
        /// <summary>Peak working set of this whole process, MB.</summary>
        public double PeakWorkingSetMB { get; init; }
        /// <summary>Mean interior-point iterations over the batch (from one extra untimed solve).</summary>
        public double MeanIterations { get; init; }
        /// <summary>Number of items per status.</summary>
        public required Dictionary<string, int> Status { get; init; }
        /// <summary>The solutions x* (B,n) from the last forward + backward run.</summary>
        public required double[][] X { get; init; }
    }

    private static int Run(string path, int threads, int reps, int warmup, string? jsonPath, bool phases, double? tolerance, int? polish)
    {
        if (!RunOptions.CheckAndApply(threads, reps, warmup)) return 2;
        var options = tolerance is { } t ? new ConeProgramSolverOptions { Tolerance = t, RelativeTolerance = t } : ConeProgramSolverOptions.Default;
        if (polish is { } steps) options = options with { PolishIterations = steps, ExponentialPolishIterations = steps };
        var data = ConeCaseFile.Load(path);
        var (a, b, c, w) = (data.Tensor("A"), data.Tensor("b"), data.Tensor("c"), data.Tensor("w"));

        var forward = RunTimer.Measure(warmup, reps, collect: false, () => Forward(data.Cones, a, b, c, w, options, backward: false).Time);
        var forwardBackward = RunTimer.Measure(warmup, reps, collect: false, () => Forward(data.Cones, a, b, c, w, options, backward: true).Time);
        double[][] x;
        using (var scope = NewDisposeScope())
            x = RunTimer.ToRows(Forward(data.Cones, a, b, c, w, options, backward: true).X);
        var solution = new ConeProgramSolver(options).Solve(a, b, c, data.Cones);

        var report = new Report
        {
            Case = data.Name, B = data.Batch, N = data.N, M = data.M, Threads = threads, Reps = reps, Warmup = warmup,
            ForwardMs = Statistics.Median(forward.Select(t => t.WallMs).ToArray()),
            ForwardBackwardMs = Statistics.Median(forwardBackward.Select(t => t.WallMs).ToArray()),
            ForwardBackwardCpuMs = Statistics.Median(forwardBackward.Select(t => t.CpuMs).ToArray()),
            ForwardAllMs = forward.Select(t => t.WallMs).ToArray(),
            ForwardBackwardAllMs = forwardBackward.Select(t => t.WallMs).ToArray(),
            PeakWorkingSetMB = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            MeanIterations = solution.Iterations.Average(),
            Status = solution.Status.GroupBy(s => s.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            X = x,
        };
        var status = string.Join(" ", report.Status.Select(kv => $"{kv.Key}={kv.Value}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{report.Case} B={report.B} n={report.N} m={report.M} threads={threads}: forward {report.ForwardMs:F2} ms, forward+backward {report.ForwardBackwardMs:F2} ms (median of {reps} after {warmup} warm-up), iterations mean {report.MeanIterations:F1}, status {status}, peak working set {report.PeakWorkingSetMB:F0} MB"));
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        if (phases) ConeCasePhases.Print(data.Cones, a, b, c, w, options, warmup, reps);
        return 0;
    }

    /// <summary>One run on fresh leaves that require grad; returns x* detached and the run's time.</summary>
    private static (Tensor X, RunTime Time) Forward(IReadOnlyList<Cone> cones, Tensor a, Tensor b, Tensor c, Tensor w,
        ConeProgramSolverOptions options, bool backward)
    {
        var (la, lb, lc) = (a.detach().clone().requires_grad_(), b.detach().clone().requires_grad_(), c.detach().clone().requires_grad_());
        Tensor x = null!;
        var time = RunTimer.Time(() =>
        {
            x = ConeProgramFunction.Apply(la, lb, lc, cones, options: options).X;
            if (backward) (w * x).sum().backward();
        });
        return (x.detach(), time);
    }
}
