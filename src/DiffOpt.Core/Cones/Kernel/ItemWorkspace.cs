namespace DiffOpt.Cones;

/// <summary>
/// The buffers of one batch item in the CPU kernel (<see cref="HomogeneousKernel"/>): the item's copy of (A, b, c, P),
/// the equilibrated copy and its factors (<see cref="ItemEquilibration"/>), the kernel cones and the solver with its
/// KKT workspace. A batch rents one per item from <see cref="ItemWorkspacePool"/> and returns it, so a thread reuses the
/// same arrays item after item and call after call: allocating them afresh per item cost more than half of the LP
/// benchmark's kernel set-up in garbage collection and first-touch page faults. The items of a batch that shares A and P
/// read the batch's A, P, Â, D and E (<see cref="BatchEquilibration"/>) and leave those buffers unused.
/// </summary>
internal sealed class ItemWorkspace
{
    /// <summary>Buffers for items with <paramref name="m"/> rows, <paramref name="n"/> variables and cones <paramref name="cones"/>.</summary>
    public ItemWorkspace(IReadOnlyList<Cone> cones, int m, int n, bool hasP)
    {
        Cones = HomogeneousItemSolver.Create(cones);
        (A, B, C, P) = (new double[m * n], new double[m], new double[n], hasP ? new double[n * n] : null);
        (ScaledA, ScaledB, ScaledC, ScaledP) = (new double[m * n], new double[m], new double[n], hasP ? new double[n * n] : null);
        (D, E) = (new double[m], new double[n]);
    }

    /// <summary>The kernel cones (their scalings are overwritten at every iteration).</summary>
    public KernelCone[] Cones { get; }

    /// <summary>The item's A (m × n), b, c and P (n × n, or null).</summary>
    public double[] A { get; }

    /// <inheritdoc cref="A" />
    public double[] B { get; }

    /// <inheritdoc cref="A" />
    public double[] C { get; }

    /// <inheritdoc cref="A" />
    public double[]? P { get; }

    /// <summary>The equilibrated Â, b̂, ĉ and P̂ (<see cref="ItemProgram"/>).</summary>
    public double[] ScaledA { get; }

    /// <inheritdoc cref="ScaledA" />
    public double[] ScaledB { get; }

    /// <inheritdoc cref="ScaledA" />
    public double[] ScaledC { get; }

    /// <inheritdoc cref="ScaledA" />
    public double[]? ScaledP { get; }

    /// <summary>The row and column factors D and E.</summary>
    public double[] D { get; }

    /// <inheritdoc cref="D" />
    public double[] E { get; }

    /// <summary>The solver of the previous item that used this workspace (null before the first).</summary>
    public HomogeneousItemSolver? Solver { get; set; }
}
