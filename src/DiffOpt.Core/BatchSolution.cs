namespace DiffOpt;

/// <summary>
/// What every solver of the library reports per item of a batch, whatever the problem: status, iterations and the
/// residuals of the returned point (each solver's solution type documents its definitions and adds its tensors).
/// </summary>
public abstract class BatchSolution
{
    /// <summary>Sets the per-item report; each list has one entry per item.</summary>
    private protected BatchSolution(IReadOnlyList<SolverStatus> status, IReadOnlyList<int> iterations,
        IReadOnlyList<double> primalResidual, IReadOnlyList<double> dualResidual, IReadOnlyList<double> dualityGap)
    {
        Status = status;
        Iterations = iterations;
        PrimalResidual = primalResidual;
        DualResidual = dualResidual;
        DualityGap = dualityGap;
    }

    /// <summary>Status of each item.</summary>
    public IReadOnlyList<SolverStatus> Status { get; }

    /// <summary>Interior-point iterations spent on each item.</summary>
    public IReadOnlyList<int> Iterations { get; }

    /// <summary>Primal residual of each item (see the solution type's remarks).</summary>
    public IReadOnlyList<double> PrimalResidual { get; }

    /// <summary>Dual residual of each item (see the solution type's remarks).</summary>
    public IReadOnlyList<double> DualResidual { get; }

    /// <summary>Duality gap of each item (see the solution type's remarks).</summary>
    public IReadOnlyList<double> DualityGap { get; }

    /// <summary>Number of items in the batch.</summary>
    public int BatchSize => Status.Count;

    /// <summary>True when every item is <see cref="SolverStatus.Solved"/>.</summary>
    public bool AllSolved => Status.All(s => s == SolverStatus.Solved);

    /// <summary>Throws <see cref="SolveFailedException"/> when some item has no usable point (neither Solved nor Inaccurate).</summary>
    internal void ThrowIfAnyFailed()
    {
        if (Status.Any(s => !s.HasSolution())) throw new SolveFailedException(Status);
    }
}
