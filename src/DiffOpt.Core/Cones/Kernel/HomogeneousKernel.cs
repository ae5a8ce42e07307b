using System.Collections.Concurrent;
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
        // A given densely is read in place (it can be large, B · m · n; a shared A once, m · n); a sparse A never becomes
        // dense on the sparse path.
        var a = data.SparseA is null ? TensorCopy.View(data.SharedA ? data.GivenA : data.A) : null;
        int aItems = data.SharedA ? 1 : batch;
        var b = Doubles(data.B);
        var c = Doubles(data.C);
        var p = data.P is null ? null : Doubles(data.SharedP ? data.GivenP! : data.P);   // a shared P once, (n · n)
        var outcomes = new HomogeneousItemSolver.Outcome[batch];
        var mask = path == KktPath.Dense ? null : data.SparseA?.NonzeroMask() ?? SparseKktPattern.NonzeroMask(a!, aItems, m, n);
        var sparse = mask is null ? null : SparseKktPattern.Choose(data.Cones, batch, m, n, mask, p, path);
        // On the sparse path every item gives A's values at the pattern's support (the mask: the union of the items' nonzeros).
        var supportA = sparse is null ? null : data.SparseA?.Restrict(mask!) ?? SparseBatchMatrix.Gather(data.SharedA ? data.GivenA : data.A, mask!);
        supportA?.HostValues();   // copied here, not by the first item's thread
        // On the sparse path P is held by its values at the pattern's support too; a shared P is gathered once.
        bool sharedP = p is not null && p.Length == n * n;
        var supportP = sparse is not null && sharedP ? sparse.SupportP(p) : null;
        data.SparseA?.HostValues();
        // Polyhedral programs stop at (a face of) a vertex already accurate; their polish steps would be costly full-matrix solves.
        int polish = data.Cones.All(c => c is ZeroCone or NonnegativeCone) ? 0
            : data.Cones.Any(c => c is ExponentialCone) ? options.ExponentialPolishIterations : options.PolishIterations;
        // Dense items reuse pooled buffers (ItemWorkspace); sparse ones keep their per-item pattern-shaped workspace.
        bool pooled = sparse is null && ItemWorkspacePool.Pools(m, n);
        // A and P shared by the batch (the modeling layer's parameter-free blocks) are equilibrated once on the dense path.
        var shared = sparse is null && data.SharedA && (p is null || sharedP) ? new BatchEquilibration(HomogeneousItemSolver.Create(data.Cones), m, n,
            DenseItemA(data, a, 0, m, n, null), p) : null;
        // Sparse items share their pattern, so a thread's solver (with its cones and factor storage) serves its next item:
        // fresh per-item arrays of the factor's size cost a clearing and, above glibc's mmap threshold, page faults.
        var sparseSolvers = sparse is null ? null : new ConcurrentBag<HomogeneousItemSolver>();
        SolveCancellation.ThrowIfRequested();
        try
        {
            BatchParallel.ForEachLongItem(batch, item =>
            {
                int i = (int)item;
                var workspace = pooled ? ItemWorkspacePool.Shared.Rent(data.Cones, m, n, p is not null) : null;
                double[] Copy(ReadOnlySpan<double> source, double[]? into)
                {
                    if (into is null) return source.ToArray();
                    source.CopyTo(into);
                    return into;
                }
                double[] Slice(double[] all, int length, double[]? into) => Copy(all.AsSpan(i * length, length), into);
                HomogeneousItemSolver? reused = null;
                sparseSolvers?.TryTake(out reused);
                var cones = workspace?.Cones ?? reused?.Cones ?? HomogeneousItemSolver.Create(data.Cones, sparseKkt: sparse is not null);
                var itemB = Slice(b, m, workspace?.B);
                var itemC = Slice(c, n, workspace?.C);
                // A shared P is only read: items without a workspace read the one array.
                double[]? DenseP() => p is null ? null : !sharedP ? Slice(p, n * n, workspace?.P) : workspace is null ? p : Copy(p, workspace.P);
                var program = supportA is not null
                    ? ItemEquilibration.Create(cones, m, n, supportA.Item(i), itemB, itemC,
                        supportP ?? (p is null ? null : sparse!.SupportP(p.AsSpan(i * n * n, n * n))))
                    : shared is not null ? shared.Item(itemB, itemC, workspace)
                    : ItemEquilibration.Create(cones, m, n, DenseItemA(data, a, data.SharedA ? 0 : i, m, n, workspace?.A), itemB, itemC, DenseP(),
                        sparse: false, workspace);
                var solver = workspace?.Solver ?? reused;
                if (solver is null) solver = new HomogeneousItemSolver(program, cones, tolerances, sparse);
                else solver.Reset(program, tolerances);
                var start = warm?.Point(i, cones, program.D, program.E, program.CostScale);
                var outcome = solver.Solve(options.MaxIterations, options.InaccurateToleranceFactor, start, polish);
                outcomes[i] = solver.Measured(outcome, dtype == ScalarType.Float32);
                sparseSolvers?.Add(solver);
                if (workspace is null) return;
                workspace.Solver = solver;
                ItemWorkspacePool.Shared.Return(workspace, data.Cones, m, n, p is not null);
            });
        }
        catch (AggregateException error) when (error.InnerException is OperationCanceledException cancelled)
        {
            ExceptionDispatchInfo.Capture(cancelled).Throw();
        }
        GC.KeepAlive(a);
        SolveCancellation.ThrowIfRequested();

        Tensor Stack(Func<HomogeneousItemSolver.Outcome, double[]> part, int length) =>
            tensor(outcomes.SelectMany(part).ToArray(), dtype: ScalarType.Float64).view(batch, length).to(data.Device);
        Tensor Measure(int k) => tensor(outcomes.Select(o => o.Measures[k]).ToArray(), dtype: ScalarType.Float64).to(data.Device);
        var measures = new ResidualMeasures(Measure(0), Measure(1), Measure(2), Measure(3), Measure(4), Measure(5));
        return new HomogeneousInteriorPoint.Result(Stack(o => o.X, n), Stack(o => o.Y, m), Stack(o => o.S, m),
            outcomes.Select(o => o.Status).ToArray(), outcomes.Select(o => o.Iterations).ToArray(), measures);
    }

    /// <summary>
    /// Item <paramref name="item"/>'s dense A (m × n row-major) into <paramref name="into"/> (or a new array): from
    /// <paramref name="a"/>, the dense A read in place, else from the sparse A.
    /// </summary>
    private static double[] DenseItemA(ConeProgramData data, DoubleView? a, int item, int m, int n, double[]? into)
    {
        into ??= new double[m * n];
        if (a is not null) a.Slice((long)item * m * n, m * n).CopyTo(into);
        else data.SparseA!.ScatterItem(item, into);
        return into;
    }

    /// <summary>A float64 tensor's entries in row-major order.</summary>
    private static double[] Doubles(Tensor value) => TensorCopy.ToDoubles(value);
}
