using DiffOpt.Native;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace DiffOpt.Cones;

/// <summary>
/// The differentiable solution map (A, b, c, P) ↦ (x, y, s) of a batch of cone programs as a TorchSharp autograd
/// function: the forward pass solves with <see cref="ConeProgramSolver"/>, the backward pass is the adjoint of
/// <see cref="ConeProgramDerivativeHandle"/> at the solution (the normal map of docs/CONES.md).
/// </summary>
public sealed class ConeProgramFunction : MultiTensorFunction<ConeProgramFunction>
{
    private const string DerivativeKey = "derivative";
    private const string NeededKey = "needed";

    /// <summary>The function's name in the autograd graph.</summary>
    public override string Name => nameof(ConeProgramFunction);

    /// <summary>
    /// Solves minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K and returns (x, y, s), differentiable with respect to every
    /// argument that requires grad. Arguments follow <see cref="ConeProgramSolver.Solve(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?)"/>; a broadcast argument's
    /// gradient is the sum over the batch; items that are not solved contribute zero gradient.
    /// </summary>
    /// <param name="A">(B, m, n) or (m, n).</param>
    /// <param name="b">(B, m) or (m).</param>
    /// <param name="c">(B, n) or (n).</param>
    /// <param name="cones">The cones of K in row order.</param>
    /// <param name="P">(B, n, n), (n, n) or null.</param>
    /// <param name="options">Solver settings (the defaults when null).</param>
    /// <returns>X (B, n), Y (B, m), S (B, m).</returns>
    /// <exception cref="ArgumentException">An argument is malformed; ParamName names it.</exception>
    public static (Tensor X, Tensor Y, Tensor S) Apply(Tensor A, Tensor b, Tensor c, IReadOnlyList<Cone> cones, Tensor? P = null,
        ConeProgramSolverOptions? options = null)
    {
        var solver = new ConeProgramSolver(options);
        var data = ConeProgramData.Create(A, b, c, cones, P);
        // Views of the arguments let their gradients reach leaves without a copy (GradientHandOff).
        var outputs = apply(GradientHandOff.View(A)!, GradientHandOff.View(b)!, GradientHandOff.View(c)!, GradientHandOff.View(P)!, solver, data);
        return (outputs[0], outputs[1], outputs[2]);
    }

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        return TemporaryTensors.Hold<List<Tensor>>(() =>
        {
            var inputs = vars.Take(4).Select(v => v as Tensor).ToArray();
            var solver = (ConeProgramSolver)vars[4];
            var data = (ConeProgramData)vars[5];
            var solution = solver.SolveCore(data);
            ctx.save_data(DerivativeKey, new ConeProgramDerivativeHandle(data, solution));
            ctx.save_data(NeededKey, inputs.Select(t => t is not null && t.requires_grad).ToArray());
            return [solution.X, solution.Y, solution.S];
        });
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> grad_outputs)
    {
        return TemporaryTensors.Hold<List<Tensor>>(() =>
        {
            var derivative = (ConeProgramDerivativeHandle)ctx.get_data(DerivativeKey);
            var needed = (bool[])ctx.get_data(NeededKey);
            var (gradA, gradB, gradC, gradP) = derivative.Adjoint(Present(grad_outputs, 0), Present(grad_outputs, 1), Present(grad_outputs, 2));
            Tensor? Keep(int i, Tensor? g) => needed[i] ? g : null;
            return [Keep(0, gradA)!, Keep(1, gradB)!, Keep(2, gradC)!, Keep(3, gradP)!, null!, null!];
        });
    }

    /// <summary>The incoming gradient of output <paramref name="i"/>, or null when autograd passes none.</summary>
    private static Tensor? Present(List<Tensor> grads, int i) => i < grads.Count && grads[i] is { } g && !g.IsInvalid ? g : null;
}
