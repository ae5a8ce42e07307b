using DiffOpt.Cones;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// A batch's solution of a parametric cone program: x (B, n), statuses, iterations, the objective data used (P as its
/// values at the P map's support, (B, k) or (k)) and, when asked for, the cone program's dual y (B, m). On the cone route,
/// <see cref="LeastSquares"/> flags the items whose derivative system is singular (null on the QP route); on the QP route,
/// <see cref="QpReport"/> receives the backward KKT solves' residuals once the backward pass has run.
/// </summary>
internal sealed record ProgramResult(Tensor X, IReadOnlyList<SolverStatus> Status, IReadOnlyList<int> Iterations, Tensor C, Tensor? PValues, Tensor D,
    Tensor? Y = null, IReadOnlyList<bool>? LeastSquares = null, QpSolveReport? QpReport = null);

/// <summary>
/// Turns a batch of parameters into cone-program data (one sparse × dense product per block) and solves it: QPs and
/// LPs (only zero and nonnegative cones) with <see cref="QpFunction"/>, everything else with the cone solver; both
/// differentiable, so gradients flow back to Θ1 through the data maps' transposes.
/// </summary>
internal static class ProgramSolve
{
    /// <summary>
    /// Solves the program for <paramref name="batch"/>. With <paramref name="warmStart"/>, the solve starts from the
    /// retained solution when it fits the batch, and the new solution replaces it. With <paramref name="duals"/> the
    /// cone solver serves every problem (its y is differentiable) and the result carries y.
    /// </summary>
    public static ProgramResult Run(ParametricConeProgram program, ParameterBatch batch, ConvexLayerOptions options, RetainedWarmStart? warmStart = null,
        bool duals = false)
    {
        var t1 = batch.Theta1;
        int n = program.VariableCount, m = program.RowCount;
        Tensor Shaped(AffineDataMap map, params long[] dims) => map.IsParametric
            ? map.Apply(t1).reshape([batch.BatchSize, .. dims])
            : map.Apply(t1).reshape(dims);
        var c = Shaped(program.C, n);
        var pValues = program.P?.ApplyOnSupport(t1);
        var d = Shaped(program.D, 1);
        Tensor x;
        Tensor? y = null;
        BatchSolution solution;
        IReadOnlyList<bool>? leastSquares = null;
        QpSolveReport? qpReport = null;
        if (program.IsQp && options.UseQpSolver && !duals)
        {
            var P = program.P is null ? null : Shaped(program.P, n, n);
            (x, qpReport) = SolveQp(program, Shaped(program.A, m, n), Shaped(program.B, m), c, P, options.Qp, t1, warmStart?.ForQp(batch));
            warmStart?.Keep(qpReport.Solution!);
            solution = qpReport.Solution!;
        }
        else
        {
            var report = new ConeSolveReport();
            // A and P at their supports only: a large sparse A is never formed or differentiated densely outside the solver.
            var xy = ConeSolveFunction.Apply(program, program.A.ApplyOnSupport(t1), Shaped(program.B, m), c, pValues,
                new ConeProgramSolver(options.Cone), report, warmStart?.ForCone(batch));
            x = xy.narrow(1, 0, n);
            if (duals) y = xy.narrow(1, n, m);
            warmStart?.Keep(report.Solution!);
            solution = report.Solution!;
            leastSquares = report.LeastSquares;
        }
        if (x.shape[0] != batch.BatchSize) x = x.expand(batch.BatchSize, n);
        if (y is not null && y.shape[0] != batch.BatchSize) y = y.expand(batch.BatchSize, m);
        var status = solution.Status;
        var iterations = solution.Iterations;
        if (status.Count != batch.BatchSize)
        {
            status = Enumerable.Repeat(status[0], batch.BatchSize).ToList();
            iterations = Enumerable.Repeat(iterations[0], batch.BatchSize).ToList();
        }
        if (leastSquares is not null && leastSquares.Count != batch.BatchSize) leastSquares = Enumerable.Repeat(leastSquares[0], batch.BatchSize).ToList();
        return new ProgramResult(x, status, iterations, c, pValues, d, y, leastSquares, qpReport);
    }

    /// <summary>Ax + s = b with s in (zero cone, nonnegative cone) is Aeq x = beq, G x ≤ h.</summary>
    private static (Tensor X, QpSolveReport Report) SolveQp(ParametricConeProgram program, Tensor A, Tensor b, Tensor c, Tensor? P,
        QpSolverOptions options, Tensor t1, QpWarmStart? warmStart)
    {
        int n = program.VariableCount, m = program.RowCount, mz = program.ZeroRows;
        var Q = P ?? zeros(n, n, dtype: t1.dtype, device: t1.device);
        Tensor? Rows(Tensor t, int dim, int start, int length) => length == 0 ? null : t.narrow(dim, start, length);
        var report = new QpSolveReport();
        if (program.DefinedVariables is { } defined)
        {
            // A smaller equivalent QP without the variables that one equality defines; autograd runs through the substitution.
            var (q, cReduced, g, h, aEq, bEq, full) = defined.Reduce(A, b, c, P);
            var reduced = QpFunction.Apply(q, cReduced, g, h, aEq, bEq, options, report, warmStart);
            return (full(reduced), report);
        }
        var x = QpFunction.Apply(Q, c, Rows(A, -2, mz, m - mz), Rows(b, -1, mz, m - mz), Rows(A, -2, 0, mz), Rows(b, -1, 0, mz), options, report,
            warmStart);
        return (x, report);
    }
}
