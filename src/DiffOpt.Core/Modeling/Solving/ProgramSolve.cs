using DiffOpt.Cones;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>A batch's solution of a parametric cone program: x (B, n), statuses and the objective data used.</summary>
internal sealed record ProgramResult(Tensor X, IReadOnlyList<SolverStatus> Status, Tensor C, Tensor? P, Tensor D);

/// <summary>
/// Turns a batch of parameters into cone-program data (one sparse × dense product per block) and solves it: QPs and
/// LPs (only zero and nonnegative cones) with <see cref="QpFunction"/>, everything else with the cone solver; both
/// differentiable, so gradients flow back to Θ1 through the data maps' transposes.
/// </summary>
internal static class ProgramSolve
{
    public static ProgramResult Run(ParametricConeProgram program, ParameterBatch batch, ConvexLayerOptions options)
    {
        var t1 = batch.Theta1;
        int n = program.VariableCount, m = program.RowCount;
        Tensor Shaped(AffineDataMap map, params long[] dims) => map.IsParametric
            ? map.Apply(t1).reshape([batch.BatchSize, .. dims])
            : map.Apply(t1).reshape(dims);
        var c = Shaped(program.C, n);
        var P = program.P is null ? null : Shaped(program.P, n, n);
        var d = Shaped(program.D, 1);
        Tensor x;
        IReadOnlyList<SolverStatus> status;
        if (program.IsQp && options.UseQpSolver)
            (x, status) = SolveQp(program, Shaped(program.A, m, n), Shaped(program.B, m), c, P, options.Qp, t1);
        else
        {
            var report = new ConeSolveReport();
            x = ConeSolveFunction.Apply(Shaped(program.A, m, n), Shaped(program.B, m), c, P, program.Cones, new ConeProgramSolver(options.Cone), report);
            status = report.Solution!.Status;
        }
        if (x.shape[0] != batch.BatchSize) x = x.expand(batch.BatchSize, n);
        if (status.Count != batch.BatchSize) status = Enumerable.Repeat(status[0], batch.BatchSize).ToList();
        return new ProgramResult(x, status, c, P, d);
    }

    /// <summary>Ax + s = b with s in (zero cone, nonnegative cone) is Aeq x = beq, G x ≤ h.</summary>
    private static (Tensor X, IReadOnlyList<SolverStatus> Status) SolveQp(ParametricConeProgram program, Tensor A, Tensor b, Tensor c, Tensor? P,
        QpSolverOptions options, Tensor t1)
    {
        int n = program.VariableCount, m = program.RowCount, mz = program.ZeroRows;
        var Q = P ?? zeros(n, n, dtype: t1.dtype, device: t1.device);
        Tensor? Rows(Tensor t, int dim, int start, int length) => length == 0 ? null : t.narrow(dim, start, length);
        var report = new QpSolveReport();
        var x = QpFunction.Apply(Q, c, Rows(A, -2, mz, m - mz), Rows(b, -1, mz, m - mz), Rows(A, -2, 0, mz), Rows(b, -1, 0, mz), options, report);
        return (x, report.Solution!.Status);
    }
}
