using System.CommandLine;
using System.Diagnostics;
using DiffOpt.Benchmarks.Common;
using DiffOpt.Benchmarks.ConvexLayerCase;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.LayerBuild;

/// <summary>
/// <c>layer-build</c>: the time to build a <see cref="ConvexLayer"/> for the parameterised least-squares problem
/// minimize ‖A x − b‖² with A (N × N) and b (N) parameters (cvxpylayers #33 reports 42 s at N = 100; issue #13's goal
/// is below 100 ms): the first build in the process (with the JIT of the modeling code) and the median of later
/// builds, then the share of one batch's forward pass spent turning the parameters into the program's data.
/// </summary>
public static class LayerBuildCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "N: A is N × N, b and x have N entries.", DefaultValueFactory = _ => 100 };
        var batch = new Option<int>("--batch") { Description = "Batch of parameter values for the forward pass.", DefaultValueFactory = _ => 16 };
        var (threads, reps, warmup) = RunOptions.Create(reps: 10, warmup: 0, repsDescription: "Builds after the first (median reported).",
            warmupDescription: "Untimed forward passes before the timed ones.");
        var json = new Option<FileInfo?>("--json") { Description = "Write the timings to this file." };
        var command = new Command("layer-build", "Time building the ConvexLayer of an N × N parameterised least-squares problem.")
        {
            size, batch, threads, reps, warmup, json,
        };
        command.SetAction(parse => Run(parse.GetValue(size), parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(reps),
            parse.GetValue(warmup), parse.GetValue(json)?.FullName));
        return command;
    }

    /// <summary>What <c>layer-build --json</c> writes.</summary>
    public sealed record Report
    {
        /// <summary>N.</summary>
        public int Size { get; init; }
        /// <summary>The first build in the process, ms (includes the JIT of the modeling code).</summary>
        public double FirstBuildMs { get; init; }
        /// <summary>Median of the later builds, ms.</summary>
        public double BuildMs { get; init; }
        /// <summary>Every later build, ms.</summary>
        public required double[] BuildAllMs { get; init; }
        /// <summary>Canonical program: variables, rows, and the solver it goes to.</summary>
        public required string Program { get; init; }
        /// <summary>Median forward time of the batch, ms.</summary>
        public double ForwardMs { get; init; }
        /// <summary>Median time of turning the batch's parameters into the program's data, ms.</summary>
        public double DataMapMs { get; init; }
    }

    private static int Run(int size, int batch, int threads, int reps, int warmup, string? jsonPath)
    {
        if (size < 1 || batch < 1)
        {
            Console.Error.WriteLine("--size and --batch must be at least 1.");
            return 2;
        }
        if (!RunOptions.CheckAndApply(threads, reps, warmup)) return 2;
        var builds = new double[reps + 1];
        ConvexLayer? layer = null;
        Problem? problem = null;
        Parameter[] parameters = [];
        for (int i = 0; i <= reps; i++)
        {
            layer?.Dispose();
            var watch = Stopwatch.StartNew();
            var x = new Variable(size, "x");
            var A = new Parameter(size, size, "A");
            var b = new Parameter(size, "b");
            problem = Problem.Minimize(SumSquares(A * x - b));
            parameters = [A, b];
            layer = new ConvexLayer(problem, parameters, [x]);
            builds[i] = watch.Elapsed.TotalMilliseconds;
        }
        using var built = layer!;
        var generator = new TorchSharp.torch.Generator(0);
        Tensor[] values = [randn(batch, size, size, dtype: ScalarType.Float64, generator: generator),
            randn(batch, size, dtype: ScalarType.Float64, generator: generator)];
        var forward = RunTimer.Measure(warmup, Math.Max(reps, 3), collect: false, () => RunTimer.Time(() => built.forward(values)));
        var map = RunTimer.Measure(warmup, Math.Max(reps, 3), collect: false, () => ConvexLayerCaseCommand.DataMap(problem!, values));
        var program = problem!.Compile();
        var report = new Report
        {
            Size = size,
            FirstBuildMs = builds[0],
            BuildMs = Statistics.Median(builds[1..]),
            BuildAllMs = builds[1..],
            Program = $"n={program.VariableCount} m={program.RowCount} {(built.IsQp ? "QP solver" : "cone solver")}",
            ForwardMs = Statistics.Median(forward.Select(t => t.WallMs).ToArray()),
            DataMapMs = Statistics.Median(map.Select(t => t.WallMs).ToArray()),
        };
        Console.WriteLine(FormattableString.Invariant(
            $"least squares N={size} ({report.Program}): first build {report.FirstBuildMs:F1} ms, later builds {report.BuildMs:F1} ms (median of {reps}); B={batch} forward {report.ForwardMs:F1} ms, parameter->data {report.DataMapMs:F2} ms ({100 * report.DataMapMs / report.ForwardMs:F1} % of the forward)"));
        if (jsonPath is not null) JsonOutput.Write(jsonPath, report);
        return 0;
    }
}
