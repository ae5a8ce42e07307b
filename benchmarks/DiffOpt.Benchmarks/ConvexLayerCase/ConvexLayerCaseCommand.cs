using System.CommandLine;
using System.Diagnostics;
using DiffOpt.Benchmarks.Common;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConvexLayerCase;

/// <summary>
/// <c>convex-layer-case CASE.json</c>: times <see cref="ConvexLayer"/>'s forward pass and forward plus backward of
/// L = Σ wt·x* on a case of the cvxpylayers peer's <c>layer_cases.py</c> (as its <c>peer</c> command times
/// CvxpyLayer), and writes x* and every parameter's gradient for the comparison of answers.
/// </summary>
public static class ConvexLayerCaseCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("case") { Description = "Case file (JSON) written by the peer's layer_cases.py gen." };
        var (threads, reps, warmup) = RunOptions.Create(reps: 5, warmup: 1);
        var json = new Option<FileInfo?>("--json") { Description = "Write timings, statuses, x and grads to this file." };
        var eps = new Option<double?>("--eps") { Description = "Absolute and relative tolerance of both solvers (their defaults when absent)." };
        var coneOnly = new Option<bool>("--cone-only") { Description = "Send QPs to the cone solver too (ConvexLayerOptions.UseQpSolver = false)." };
        var command = new Command("convex-layer-case", "Time ConvexLayer forward and forward+backward on a cvxpylayers peer layer case.")
        {
            input, threads, reps, warmup, json, eps, coneOnly,
        };
        command.SetAction(parse => Run(parse.GetValue(input)!.FullName, parse.GetValue(threads), parse.GetValue(reps), parse.GetValue(warmup),
            parse.GetValue(json)?.FullName, parse.GetValue(eps), parse.GetValue(coneOnly)));
        return command;
    }

    /// <summary>What <c>convex-layer-case --json</c> writes (field names as the peer's output).</summary>
    public sealed record Report
    {
        /// <summary>Problem name.</summary>
        public required string Problem { get; init; }
        /// <summary>Batch size.</summary>
        public int B { get; init; }
        /// <summary>torch threads.</summary>
        public int Threads { get; init; }
        /// <summary>Timed runs.</summary>
        public int Reps { get; init; }
        /// <summary>The solvers' tolerance (null: their defaults).</summary>
        public double? Eps { get; init; }
        /// <summary>Canonical program: variables, rows, and whether it went to the QP solver.</summary>
        public required string Program { get; init; }
        /// <summary>Time to build the layer (DCP/DPP check and canonicalisation), ms.</summary>
        public double BuildMs { get; init; }
        /// <summary>Median forward time in ms.</summary>
        public double ForwardMs { get; init; }
        /// <summary>Median forward + backward time in ms.</summary>
        public double ForwardBackwardMs { get; init; }
        /// <summary>Median process CPU time of forward, ms (less disturbed than wall time on a shared machine).</summary>
        public double ForwardCpuMs { get; init; }
        /// <summary>Median process CPU time of forward + backward, ms.</summary>
        public double ForwardBackwardCpuMs { get; init; }
        /// <summary>Median time of turning the batch of parameters into cone-program data (forward), ms.</summary>
        public double DataMapMs { get; init; }
        /// <summary>Every timed forward run, ms.</summary>
        public required double[] ForwardAllMs { get; init; }
        /// <summary>Every timed forward + backward run, ms.</summary>
        public required double[] ForwardBackwardAllMs { get; init; }
        /// <summary>Number of items per status.</summary>
        public required Dictionary<string, int> Status { get; init; }
        /// <summary>Interior-point iterations of each item in the last solve.</summary>
        public required int[] Iterations { get; init; }
        /// <summary>x* of the first variable (B, n).</summary>
        public required double[][] X { get; init; }
        /// <summary>∂L/∂parameter by name, each shaped as the parameter's batch.</summary>
        public required Dictionary<string, object> Grads { get; init; }
    }

    private static int Run(string path, int threads, int reps, int warmup, string? jsonPath, double? eps, bool coneOnly)
    {
        if (eps is <= 0)
        {
            Console.Error.WriteLine("--eps must be positive.");
            return 2;
        }
        if (!RunOptions.CheckAndApply(threads, reps, warmup)) return 2;
        var options = eps is { } e
            ? new ConvexLayerOptions
            {
                Cone = new Cones.ConeProgramSolverOptions { Tolerance = e, RelativeTolerance = e },
                Qp = new Qp.QpSolverOptions { Tolerance = e, RelativeTolerance = e },
            }
            : ConvexLayerOptions.Default;
        if (coneOnly) options = options with { UseQpSolver = false };
        var data = LayerCaseFile.Load(path);
        var watch = Stopwatch.StartNew();
        var built = LayerCaseProblems.Build(data.Problem, data.Constants);
        using var layer = new ConvexLayer(built.Problem, built.Parameters, built.Variables, options);
        double buildMs = watch.Elapsed.TotalMilliseconds;
        var values = built.Parameters.Select(p => data.Parameters.TryGetValue(p.Name, out var v) ? v
            : throw new InvalidDataException($"{path}: no value for parameter '{p.Name}'.")).ToArray();

        var forward = RunTimer.Measure(warmup, reps, collect: false, () => Run(layer, values, data.Weights, backward: false).Time);
        var forwardBackward = RunTimer.Measure(warmup, reps, collect: false, () => Run(layer, values, data.Weights, backward: true).Time);
        var map = RunTimer.Measure(warmup, reps, collect: false, () => DataMap(built.Problem, values));
        double[][] x;
        Dictionary<string, object> grads;
        using (var scope = NewDisposeScope())
        {
            var (xs, _, leaves) = Run(layer, values, data.Weights, backward: true);
            x = RunTimer.ToRows(xs.reshape(xs.shape[0], -1));
            grads = built.Parameters.Zip(leaves).ToDictionary(p => p.First.Name, p => Nested(p.Second.grad!));
        }
        var program = built.Problem.Compile();
        var report = new Report
        {
            Problem = data.Problem, B = data.Batch, Threads = threads, Reps = reps, Eps = eps,
            Program = $"n={program.VariableCount} m={program.RowCount} {(layer.IsQp && options.UseQpSolver ? "QP solver" : "cone solver")}",
            BuildMs = buildMs,
            ForwardMs = Statistics.Median(forward.Select(t => t.WallMs).ToArray()),
            ForwardBackwardMs = Statistics.Median(forwardBackward.Select(t => t.WallMs).ToArray()),
            ForwardCpuMs = Statistics.Median(forward.Select(t => t.CpuMs).ToArray()),
            ForwardBackwardCpuMs = Statistics.Median(forwardBackward.Select(t => t.CpuMs).ToArray()),
            DataMapMs = Statistics.Median(map.Select(t => t.WallMs).ToArray()),
            ForwardAllMs = forward.Select(t => t.WallMs).ToArray(),
            ForwardBackwardAllMs = forwardBackward.Select(t => t.WallMs).ToArray(),
            Status = layer.LastStatus.GroupBy(s => s.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            Iterations = [.. layer.LastIterations],
            X = x,
            Grads = grads,
        };
        var status = string.Join(" ", report.Status.Select(kv => $"{kv.Key}={kv.Value}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{report.Problem} B={report.B} ({report.Program}) threads={threads}: build {buildMs:F1} ms, forward {report.ForwardMs:F1} ms (CPU {report.ForwardCpuMs:F1}), forward+backward {report.ForwardBackwardMs:F1} ms (CPU {report.ForwardBackwardCpuMs:F1}), parameter->data {report.DataMapMs:F2} ms (median of {reps} after {warmup} warm-up), status {status}, iterations {IterationSummary(report.Iterations)}"));
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        return 0;
    }

    /// <summary>Mean and range of the items' iteration counts, e.g. "11.4 (9-15)".</summary>
    private static string IterationSummary(int[] iterations) => iterations.Length == 0 ? "-"
        : FormattableString.Invariant($"{iterations.Average():F1} ({iterations.Min()}-{iterations.Max()})");

    /// <summary>One run on fresh leaves that require grad; returns x* detached, the run's time and the leaves.</summary>
    private static (Tensor X, RunTime Time, Tensor[] Leaves) Run(ConvexLayer layer, Tensor[] values, Tensor weights, bool backward)
    {
        var leaves = values.Select(v => v.detach().clone().requires_grad_()).ToArray();
        Tensor x = null!;
        var time = RunTimer.Time(() =>
        {
            x = layer.forward(leaves)[0];
            if (backward) (weights.reshape(x.shape) * x).sum().backward();
        });
        return (x.detach(), time, leaves);
    }

    /// <summary>
    /// The time of mapping the batch of parameters to the cone program's data blocks as the cone route does it: A and P
    /// at their supports (A goes to the solver so; P is then scattered into dense matrices); b, c and d whole.
    /// </summary>
    internal static RunTime DataMap(Problem problem, Tensor[] values)
    {
        var program = problem.Compile();
        var leaves = values.Select(v => v.detach().clone().requires_grad_()).ToArray();
        return RunTimer.Time(() =>
        {
            var theta = ParameterBatch.Create(program.Parameters, leaves).Theta1;
            program.A.ApplyOnSupport(theta);
            program.P?.Scatter(program.P.ApplyOnSupport(theta));
            foreach (var map in new[] { program.C, program.B, program.D })
                map.Apply(theta);
        });
    }

    /// <summary>A tensor as nested double arrays (for JSON).</summary>
    private static object Nested(Tensor t)
    {
        var flat = t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        object Build(int dim, int offset)
        {
            if (dim == t.dim()) return flat[offset];
            int stride = (int)t.shape.Skip(dim + 1).Aggregate(1L, (a, b) => a * b);
            return Enumerable.Range(0, (int)t.shape[dim]).Select(i => Build(dim + 1, offset + i * stride)).ToArray();
        }
        return Build(0, 0);
    }
}
