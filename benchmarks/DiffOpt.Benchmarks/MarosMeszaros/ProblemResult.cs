namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// The outcome of one problem, as written to the report. Residuals are those of <see cref="QpbenchmarkResiduals"/>
/// (null when the run produced no point); the solver's own view is kept beside them for diagnosis.
/// </summary>
public sealed record ProblemResult
{
    /// <summary>Problem name.</summary>
    public required string Name { get; init; }
    /// <summary>Variables.</summary>
    public int N { get; init; }
    /// <summary>Inequality rows handed to the solver: the problem's own plus one per finite bound.</summary>
    public int M { get; init; }
    /// <summary>Equality rows.</summary>
    public int P { get; init; }
    /// <summary>The solver's status name, or TimeLimit, Crashed, Error.</summary>
    public required string Status { get; init; }
    /// <summary>Interior-point iterations (0 when unknown).</summary>
    public int Iterations { get; init; }
    /// <summary>Wall time of the solve in seconds (the time limit when it was hit).</summary>
    public double Seconds { get; init; }
    /// <summary>README primal residual.</summary>
    public double? PrimalResidual { get; init; }
    /// <summary>README dual residual.</summary>
    public double? DualResidual { get; init; }
    /// <summary>README duality gap.</summary>
    public double? DualityGap { get; init; }
    /// <summary>Largest single term of the primal residual's rows (a plain double evaluation is good to ~1e-16 of it).</summary>
    public double? PrimalTermScale { get; init; }
    /// <summary>Largest single term of the dual residual's rows.</summary>
    public double? DualTermScale { get; init; }
    /// <summary>Largest single term of the duality gap's sum.</summary>
    public double? GapTermScale { get; init; }
    /// <summary>All three residuals meet the tolerance within the time limit.</summary>
    public bool Success { get; init; }
    /// <summary>The solver said Solved, but the README residuals miss the tolerance.</summary>
    public bool Dishonest { get; init; }
    /// <summary>The solver's own primal residual, dual residual and gap (its definitions; see QpSolution).</summary>
    public double? SolverPrimalResidual { get; init; }
    /// <summary>See <see cref="SolverPrimalResidual"/>.</summary>
    public double? SolverDualResidual { get; init; }
    /// <summary>See <see cref="SolverPrimalResidual"/>.</summary>
    public double? SolverDualityGap { get; init; }
    /// <summary>Why the run produced no point (crash or exception), if it did not.</summary>
    public string? Message { get; init; }
    /// <summary>Primal solution.</summary>
    public double[] X { get; init; } = [];
    /// <summary>Duals of G's rows.</summary>
    public double[] Z { get; init; } = [];
    /// <summary>Duals of A's rows.</summary>
    public double[] Y { get; init; } = [];
    /// <summary>Duals of the bounds (z_upper − z_lower).</summary>
    public double[] ZBox { get; init; } = [];
}

/// <summary>The whole report written by <c>maros-meszaros --json</c>.</summary>
public sealed record MarosMeszarosReport
{
    /// <summary>low, mid or high.</summary>
    public required string Accuracy { get; init; }
    /// <summary>Absolute tolerance of the setting.</summary>
    public double Tolerance { get; init; }
    /// <summary>Per-problem time limit in seconds.</summary>
    public double TimeLimit { get; init; }
    /// <summary>Iteration limit handed to the solver.</summary>
    public int MaxIterations { get; init; }
    /// <summary>torch intra-op threads.</summary>
    public int Threads { get; init; }
    /// <summary>Number of problems run.</summary>
    public int Total { get; init; }
    /// <summary>Number of successes.</summary>
    public int Solved { get; init; }
    /// <summary>Number of dishonest Solved statuses.</summary>
    public int Dishonest { get; init; }
    /// <summary>Shifted geometric mean of the times (shift 10 s, failures at the time limit).</summary>
    public double ShiftedGeometricMeanSeconds { get; init; }
    /// <summary>Per-problem results.</summary>
    public required IReadOnlyList<ProblemResult> Problems { get; init; }
}
