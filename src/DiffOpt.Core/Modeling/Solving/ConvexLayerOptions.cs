using DiffOpt.Cones;
using DiffOpt.Qp;

namespace DiffOpt.Modeling;

/// <summary>Settings of <see cref="Layers.ConvexLayer"/> and <see cref="Problem.Solve"/> (immutable; change with <c>with</c>).</summary>
public sealed record ConvexLayerOptions
{
    /// <summary>The defaults.</summary>
    public static ConvexLayerOptions Default { get; } = new();

    /// <summary>Settings of the cone-program solver (problems with second-order, PSD or exponential cones).</summary>
    public ConeProgramSolverOptions Cone { get; init; } = ConeProgramSolverOptions.Default;

    /// <summary>Settings of the QP solver (problems whose canonical form has only zero and nonnegative cones).</summary>
    public QpSolverOptions Qp { get; init; } = QpSolverOptions.Default;

    /// <summary>Route QPs and LPs to the QP solver (default true); false sends every problem to the cone solver.</summary>
    public bool UseQpSolver { get; init; } = true;

    /// <summary>
    /// Start each <see cref="Layers.ConvexLayer"/> call from the previous call's solution when the batch size and dtype
    /// match (default false). Saves interior-point iterations when consecutive calls solve nearby problems (training
    /// steps with a small learning rate, a time series); each result still meets the solver's tolerance, but it then
    /// depends on the previous call within that tolerance. The QP route starts from the previous primal-dual point;
    /// the cone route from the previous (x, y, s), moved into the cones' interior (see <see cref="ConeWarmStart"/>).
    /// </summary>
    public bool WarmStart { get; init; }
}
