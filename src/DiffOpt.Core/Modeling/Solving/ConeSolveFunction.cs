using DiffOpt.Cones;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DiffOpt.Modeling;

/// <summary>
/// [x*, y*](A, b, c, P) of a batch of cone programs, (B, n + m), as an autograd function that also reports the per-item
/// statuses (what <see cref="ConeProgramFunction"/> does not expose): the backward pass is the adjoint of
/// <see cref="ConeProgramDerivativeHandle"/> for both parts, zero for items without a solution.
/// </summary>
internal sealed class ConeSolveFunction : SingleTensorFunction<ConeSolveFunction>
{
    private const string HandleKey = "handle";
    private const string NeededKey = "needed";
    private const string VariablesKey = "n";

    /// <summary>The function's name in the autograd graph.</summary>
    public override string Name => nameof(ConeSolveFunction);

    /// <summary>Solves and returns [x, y] (B, n + m); <paramref name="report"/> receives the solution.</summary>
    public static Tensor Apply(Tensor A, Tensor b, Tensor c, Tensor? P, IReadOnlyList<Cone> cones, ConeProgramSolver solver, ConeSolveReport report,
        ConeWarmStart? warmStart = null) =>
        apply(A, b, c, P!, cones, solver, report, warmStart!);

    /// <inheritdoc />
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var inputs = vars.Take(4).Select(v => v as Tensor).ToArray();
        var solver = (ConeProgramSolver)vars[5];
        var cones = (IReadOnlyList<Cone>)vars[4];
        var (solution, handle) = vars[7] is ConeWarmStart warmStart
            ? solver.SolveWithDerivative(inputs[0]!, inputs[1]!, inputs[2]!, cones, inputs[3], warmStart)
            : solver.SolveWithDerivative(inputs[0]!, inputs[1]!, inputs[2]!, cones, inputs[3]);
        ((ConeSolveReport)vars[6]).Solution = solution;
        ctx.save_data(HandleKey, handle);
        ctx.save_data(NeededKey, inputs.Select(t => t is not null && t.requires_grad).ToArray());
        ctx.save_data(VariablesKey, solution.X.shape[1]);
        return cat([solution.X, solution.Y], 1);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        var handle = (ConeProgramDerivativeHandle)ctx.get_data(HandleKey);
        var needed = (bool[])ctx.get_data(NeededKey);
        long n = (long)ctx.get_data(VariablesKey);
        var (gA, gb, gc, gP) = handle.Adjoint(grad_output.narrow(1, 0, n), grad_output.narrow(1, n, grad_output.shape[1] - n), null);
        Tensor? Keep(int i, Tensor? g) => needed[i] ? g : null;
        return [Keep(0, gA)!, Keep(1, gb)!, Keep(2, gc)!, Keep(3, gP)!, null!, null!, null!, null!];
    }
}

/// <summary>Receives the cone solver's solution of a forward pass.</summary>
internal sealed class ConeSolveReport
{
    public ConeProgramSolution? Solution { get; set; }
}
