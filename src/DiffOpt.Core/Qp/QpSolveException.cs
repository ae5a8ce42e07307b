namespace DiffOpt.Qp;

/// <summary>
/// Thrown when <see cref="QpSolverOptions.ThrowOnFailure"/> is set and some item of a batch was not solved.
/// </summary>
public sealed class QpSolveException : Exception
{
    /// <summary>Creates the exception for the given per-item statuses.</summary>
    public QpSolveException(IReadOnlyList<QpStatus> status)
        : base(BuildMessage(status))
    {
        Status = status;
    }

    /// <summary>The status of every item of the batch.</summary>
    public IReadOnlyList<QpStatus> Status { get; }

    private static string BuildMessage(IReadOnlyList<QpStatus> status)
    {
        var failed = Enumerable.Range(0, status.Count).Where(i => !status[i].HasSolution()).ToList();
        string items = string.Join(", ", failed.Take(10).Select(i => $"item {i}: {status[i]}"));
        string more = failed.Count > 10 ? $", and {failed.Count - 10} more" : "";
        return $"{failed.Count} of {status.Count} QP items were not solved ({items}{more}).";
    }
}
