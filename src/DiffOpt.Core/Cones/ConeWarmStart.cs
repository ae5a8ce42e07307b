using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A previous solution (x, y, s) to start <see cref="ConeProgramSolver"/> from, e.g. the solution of nearby data in
/// a training loop: X (B, n) or (n), Y and S (B, m) or (m), in any float dtype on the data's device. The solver moves
/// s and y into the interior of the cones (adding a multiple of each cone's unit element, at least
/// <see cref="Margin"/> in the equilibrated scale) and starts the homogeneous embedding there with τ = 1 and κ = μ.
/// </summary>
/// <remarks>
/// Interior-point methods gain least from warm starts among solvers: a point near the optimum of other data is badly
/// centred, so the saving is a few iterations at best; <see cref="Margin"/> trades closeness for centrality.
/// </remarks>
/// <param name="X">Primal solution x.</param>
/// <param name="Y">Dual solution y.</param>
/// <param name="S">Slack s.</param>
public sealed record ConeWarmStart(Tensor X, Tensor Y, Tensor S)
{
    /// <summary>Smallest shift towards the cones' interior, in the equilibrated scale. Default 0.1.</summary>
    public double Margin { get; init; } = 0.1;

    /// <summary>The warm start of a previous solution's X, Y and S.</summary>
    public static ConeWarmStart From(ConeProgramSolution solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        return new(solution.X, solution.Y, solution.S);
    }
}
