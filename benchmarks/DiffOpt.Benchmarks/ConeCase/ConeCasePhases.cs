using System.Diagnostics;
using DiffOpt.Cones;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConeCase;

/// <summary>
/// <c>cone-case --phases</c>: the median wall time of each phase of forward + backward on its own: the interior-point
/// solve, the derivative's set-up (forming and factorising its system) and one adjoint solve.
/// </summary>
internal static class ConeCasePhases
{
    /// <summary>Times and prints the phases.</summary>
    public static void Print(IReadOnlyList<Cone> cones, Tensor a, Tensor b, Tensor c, Tensor w, ConeProgramSolverOptions options,
        int warmup, int reps)
    {
        var solver = new ConeProgramSolver(options);
        var data = ConeProgramData.Create(a, b, c, cones, null);
        var solution = solver.SolveCore(data);
        var handle = new ConeProgramDerivativeHandle(data, solution);
        var solve = Median(warmup, reps, () => solver.SolveCore(data));
        var setup = Median(warmup, reps, () => new ConeProgramDerivativeHandle(data, solution));
        var adjoint = Median(warmup, reps, () => handle.Adjoint(w.expand_as(solution.X), null, null));
        Console.WriteLine(FormattableString.Invariant(
            $"phases (median wall / process CPU ms): solve {solve.Wall:F2} / {solve.Cpu:F2}, derivative set-up {setup.Wall:F2} / {setup.Cpu:F2}, adjoint {adjoint.Wall:F2} / {adjoint.Cpu:F2}"));
    }

    /// <summary>Median wall and process CPU milliseconds of <paramref name="run"/> (CPU time is less disturbed by a shared machine).</summary>
    private static (double Wall, double Cpu) Median(int warmup, int reps, Action run)
    {
        for (int i = 0; i < warmup; i++) run();
        var wall = new double[reps];
        var cpu = new double[reps];
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < reps; i++)
        {
            using var scope = NewDisposeScope();
            process.Refresh();
            var start = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            run();
            wall[i] = watch.Elapsed.TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - start).TotalMilliseconds;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall[reps / 2], cpu[reps / 2]);
    }
}
