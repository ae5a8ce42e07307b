namespace DiffOpt;

/// <summary>
/// Thrown by a solver whose options set ThrowOnFailure (<see cref="Qp.QpSolverOptions.ThrowOnFailure"/>,
/// <see cref="Cones.ConeProgramSolverOptions.ThrowOnFailure"/>) when some item of a batch was not solved.
/// </summary>
public sealed class SolveFailedException : Exception
{
    /// <summary>Creates the exception for the given per-item statuses.</summary>
    public SolveFailedException(IReadOnlyList<SolverStatus> status)
        : base(BuildMessage(status))
    {
        Status = status;
    }

    /// <summary>The status of every item of the batch.</summary>
    public IReadOnlyList<SolverStatus> Status { get; }

    private static string BuildMessage(IReadOnlyList<SolverStatus> status)
    {
        var failed = Enumerable.Range(0, status.Count).Where(i => !status[i].HasSolution()).ToList();
        string items = string.Join(", ", failed.Take(10).Select(i => $"item {i}: {status[i]}"));
        string more = failed.Count > 10 ? $", and {failed.Count - 10} more" : "";
        return $"{failed.Count} of {status.Count} items were not solved ({items}{more}).";
    }
}
