using DiffOpt.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Qp;

/// <summary>
/// A starting point for <see cref="QpSolver.Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?, QpWarmStart?)"/>,
/// typically the solution of a nearby problem. Shapes follow the problem: X (B,n) or (n); duals (B,m)/(m) and
/// (B,p)/(p), or null for zeros.
/// </summary>
/// <param name="X">Primal point.</param>
/// <param name="InequalityDuals">Multipliers of Gz ≤ h (negative entries are treated as 0), or null.</param>
/// <param name="EqualityDuals">Multipliers of Az = b, or null.</param>
public sealed record QpWarmStart(Tensor X, Tensor? InequalityDuals = null, Tensor? EqualityDuals = null)
{
    /// <summary>The primal and dual solution of a previous solve as a warm start.</summary>
    public static QpWarmStart From(QpSolution solution) =>
        new(solution.X, solution.InequalityDuals, solution.EqualityDuals);

    /// <summary>Validates the shapes against <paramref name="problem"/> and maps the point into the scaled space.</summary>
    internal QpIterate ToScaled(QpProblem problem, RuizEquilibration scaling)
    {
        var x = Broadcast(X, "X", problem, problem.VariableCount);
        var z = InequalityDuals is null ? zeros_like(problem.H) : Broadcast(InequalityDuals, "InequalityDuals", problem, problem.InequalityCount).AtLeast(0L);
        var y = EqualityDuals is null ? zeros_like(problem.Bvec) : Broadcast(EqualityDuals, "EqualityDuals", problem, problem.EqualityCount);
        return new QpIterate(scaling.ScalePrimal(x), scaling.ScaleEqualityDual(y), scaling.ScaleInequalityDual(z), zeros_like(problem.H));
    }

    private static Tensor Broadcast(Tensor value, string name, QpProblem problem, long size)
    {
        bool ok = (value.dim() == 1 && value.size(0) == size)
                  || (value.dim() == 2 && value.size(0) == problem.BatchSize && value.size(1) == size);
        if (!ok)
            throw new ArgumentException(
                $"Warm start '{name}' has shape {TensorText.Shape(value)}; expected ({size}) or ({problem.BatchSize},{size}).", name);
        if (value.dtype != problem.DType)
            throw new ArgumentException($"Warm start '{name}' has dtype {value.dtype}; expected {problem.DType}.", name);
        if (!isfinite(value).all().item<bool>())
            throw new ArgumentException($"Warm start '{name}' contains NaN or infinite entries.", name);
        return value.detach().to(problem.Device).expand(problem.BatchSize, size);
    }
}
