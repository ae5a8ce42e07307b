using DiffOpt.Native;
using DiffOpt.Cones;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DiffOpt.Modeling;

/// <summary>
/// [x*, y*](A, b, c, P) of a batch of cone programs, (B, n + m), as an autograd function that also reports the per-item
/// statuses (what <see cref="ConeProgramFunction"/> does not expose). A and P come as their values at the supports of
/// their data maps (<see cref="AffineDataMap.ApplyOnSupport"/>): A goes to the solver as it is (<see cref="SparseBatchMatrix"/>,
/// formed densely only where the solver needs it), P is formed densely, and the
/// backward pass, the adjoint of <see cref="ConeProgramDerivativeHandle"/>, returns their gradients at the supports
/// (never a dense (B, m, n) gradient); zero for items without a solution.
/// </summary>
internal sealed class ConeSolveFunction : SingleTensorFunction<ConeSolveFunction>
{
    private const string HandleKey = "handle";
    private const string NeededKey = "needed";
    private const string VariablesKey = "n";
    private const string EntriesKey = "entries";

    /// <summary>The function's name in the autograd graph.</summary>
    public override string Name => nameof(ConeSolveFunction);

    /// <summary>
    /// Solves and returns [x, y] (B, n + m); <paramref name="report"/> receives the solution. <paramref name="aValues"/>
    /// and <paramref name="pValues"/> are A's and P's values at their maps' supports, (B, k) or (k) when shared.
    /// </summary>
    public static Tensor Apply(ParametricConeProgram program, Tensor aValues, Tensor b, Tensor c, Tensor? pValues, ConeProgramSolver solver,
        ConeSolveReport report, ConeWarmStart? warmStart = null) =>
        apply(aValues, b, c, pValues!, program, solver, report, warmStart!);

    /// <inheritdoc />
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        return TemporaryTensors.Hold<Tensor>(() =>
        {
            var inputs = vars.Take(4).Select(v => v as Tensor).ToArray();
            var program = (ParametricConeProgram)vars[4];
            var solver = (ConeProgramSolver)vars[5];
            int n = program.VariableCount, m = program.RowCount;
            var aValues = inputs[0]!;
            var A = SparseBatchMatrix.FromSupport(program.A.Support, m, n, aValues);
            var pValues = inputs[3];
            var P = pValues is null ? null : program.P!.Scatter(pValues).view([.. pValues.shape[..^1], n, n]);
            // A and P are finite when their values at the supports are: check those, not every entry of the dense matrices.
            bool finite = aValues.detach().isfinite().all().item<bool>() && (pValues is null || pValues.detach().isfinite().all().item<bool>());
            var data = ConeProgramData.Create(A, inputs[1]!, inputs[2]!, program.Cones, P, matricesFinite: finite);
            var (solution, handle) = solver.SolveWithDerivative(data, vars[7] as ConeWarmStart);
            var report = (ConeSolveReport)vars[6];
            report.Solution = solution;
            report.LeastSquares = handle.LeastSquares.cpu().data<bool>().ToArray();
            ctx.save_data(HandleKey, handle);
            ctx.save_data(NeededKey, inputs.Select(t => t is not null && t.requires_grad).ToArray());
            ctx.save_data(VariablesKey, solution.X.shape[1]);
            ctx.save_data(EntriesKey, (program.A.Entries(n, aValues.device), pValues is null ? null : program.P!.Entries(n, pValues.device)));
            return cat([solution.X, solution.Y], 1);
        });
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        return TemporaryTensors.Hold<List<Tensor>>(() =>
        {
            var handle = (ConeProgramDerivativeHandle)ctx.get_data(HandleKey);
            var needed = (bool[])ctx.get_data(NeededKey);
            long n = (long)ctx.get_data(VariablesKey);
            var (aEntries, pEntries) = ((MatrixEntries, MatrixEntries?))ctx.get_data(EntriesKey);
            var (gA, gb, gc, gP) = handle.Adjoint(grad_output.narrow(1, 0, n), grad_output.narrow(1, n, grad_output.shape[1] - n), null,
                aEntries, pEntries);
            Tensor? Keep(int i, Tensor? g) => needed[i] ? g : null;
            return [Keep(0, gA)!, Keep(1, gb)!, Keep(2, gc)!, Keep(3, gP)!, null!, null!, null!, null!];
        });
    }
}

/// <summary>Receives the cone solver's solution of a forward pass.</summary>
internal sealed class ConeSolveReport
{
    public ConeProgramSolution? Solution { get; set; }

    /// <summary>Per item: its derivative system is singular and takes the minimum-norm least-squares path.</summary>
    public IReadOnlyList<bool>? LeastSquares { get; set; }
}
