using System.Runtime.ExceptionServices;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The CPU kernel of <see cref="HomogeneousInteriorPoint"/>: equilibrates (<see cref="ItemEquilibration"/>) and runs
/// <see cref="HomogeneousItemSolver"/> for every item on float64 arrays, items in parallel over libtorch's intra-op
/// threads (<see cref="BatchParallel"/>), and returns the same <see cref="HomogeneousInteriorPoint.Result"/> as the
/// tensor path. Serves CPU data unless <see cref="KernelSwitch.TensorPathOnly"/> is set (the test suite runs both).
/// </summary>
internal static class HomogeneousKernel
{
    /// <summary>Whether the kernel serves data on <paramref name="device"/>.</summary>
    public static bool Serves(Device device) => !KernelSwitch.TensorPathOnly && device.type == TorchSharp.DeviceType.CPU;

    /// <summary>
    /// Solves the float64 CPU data with the tolerances of <paramref name="dtype"/>, from <paramref name="warm"/> when given,
    /// with the KKT factorisation <paramref name="path"/> (<c>SparseKktPattern.Choose</c> decides by default).
    /// </summary>
    public static HomogeneousInteriorPoint.Result Solve(ConeProgramData data, ConeProgramSolverOptions options, ScalarType dtype,
        WarmArrays? warm = null, KktPath path = KktPath.Auto)
    {
        var tolerances = options.TolerancesFor(dtype);
        int batch = (int)data.Batch, m = (int)data.Rows, n = (int)data.Variables;
        var a = TensorCopy.View(data.A);   // in place: A can be large (B · m · n)
        var b = Doubles(data.B);
        var c = Doubles(data.C);
        var p = data.P is null ? null : Doubles(data.SharedP ? data.GivenP! : data.P);   // a shared P once, (n · n)
        var outcomes = new HomogeneousItemSolver.Outcome[batch];
        var sparse = SparseKktPattern.Choose(data.Cones, batch, m, n, a, p, path);
        // Polyhedral programs stop at (a face of) a vertex already accurate; their polish steps would be costly full-matrix solves.
        int polish = data.Cones.All(c => c is ZeroCone or NonnegativeCone) ? 0 : options.PolishIterations;
        SolveCancellation.ThrowIfRequested();
        try
        {
            BatchParallel.ForEachItem(batch, item =>
            {
                int i = (int)item;
                double[] Slice(double[] all, int length) => all.AsSpan(i * length, length).ToArray();
                var cones = HomogeneousItemSolver.Create(data.Cones);
                var program = ItemEquilibration.Create(cones, m, n, a.Slice((long)i * m * n, m * n).ToArray(), Slice(b, m), Slice(c, n), p is null ? null : p.Length == n * n ? (double[])p.Clone() : Slice(p, n * n),
                    sparse is not null);
                var solver = new HomogeneousItemSolver(program, cones, tolerances, sparse);
                var start = warm?.Point(i, cones, program.D, program.E, program.CostScale);
                var outcome = solver.Solve(options.MaxIterations, options.InaccurateToleranceFactor, start, polish);
                outcomes[i] = solver.Measured(outcome, dtype == ScalarType.Float32);
            });
        }
        catch (AggregateException error) when (error.InnerException is OperationCanceledException cancelled)
        {
            ExceptionDispatchInfo.Capture(cancelled).Throw();
        }
        SolveCancellation.ThrowIfRequested();

        Tensor Stack(Func<HomogeneousItemSolver.Outcome, double[]> part, int length) =>
            tensor(outcomes.SelectMany(part).ToArray(), dtype: ScalarType.Float64).view(batch, length).to(data.Device);
        Tensor Measure(int k) => tensor(outcomes.Select(o => o.Measures[k]).ToArray(), dtype: ScalarType.Float64).to(data.Device);
        var measures = new ResidualMeasures(Measure(0), Measure(1), Measure(2), Measure(3), Measure(4), Measure(5));
        return new HomogeneousInteriorPoint.Result(Stack(o => o.X, n), Stack(o => o.Y, m), Stack(o => o.S, m),
            outcomes.Select(o => o.Status).ToArray(), outcomes.Select(o => o.Iterations).ToArray(), measures);
    }

    /// <summary>A float64 tensor's entries in row-major order.</summary>
    private static double[] Doubles(Tensor value) => TensorCopy.ToDoubles(value);
}
