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
}
