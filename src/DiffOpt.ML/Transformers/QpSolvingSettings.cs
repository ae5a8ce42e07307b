using DiffOpt.Qp;

namespace DiffOpt.ML;

/// <summary>The checked, copied content of <see cref="QpSolvingEstimator.Options"/>: column names, sizes and fixed data.</summary>
internal sealed record QpSolvingSettings
{
    public required string OutputColumnName { get; init; }
    public required string LinearTermColumnName { get; init; }
    public required string StatusColumnName { get; init; }
    public string? InequalityBoundColumnName { get; init; }
    public string? EqualityBoundColumnName { get; init; }
    public required int VariableCount { get; init; }
    public required int InequalityCount { get; init; }
    public required int EqualityCount { get; init; }

    /// <summary>Q, row-major n × n.</summary>
    public required double[] Q { get; init; }

    /// <summary>G, row-major m × n (empty when m = 0).</summary>
    public required double[] G { get; init; }

    /// <summary>Fixed h (length m), or null when it comes from a column or m = 0.</summary>
    public double[]? H { get; init; }

    /// <summary>A, row-major k × n (empty when k = 0).</summary>
    public required double[] A { get; init; }

    /// <summary>Fixed b (length k), or null when it comes from a column or k = 0.</summary>
    public double[]? B { get; init; }

    public required QpSolverOptions SolverOptions { get; init; }

    /// <summary>
    /// True for a transformer loaded from a model file of format 0x00010001, which wrote the status as text: it keeps
    /// doing so (the same names), so pipelines built on such a model keep their schema.
    /// </summary>
    public bool TextStatus { get; init; }

    /// <summary>Checks <paramref name="options"/> (ArgumentException naming the option, its shape and what was expected) and copies it.</summary>
    public static QpSolvingSettings FromOptions(QpSolvingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionChecks.ColumnName(options.OutputColumnName, nameof(options.OutputColumnName));
        var q = options.QuadraticTerm ?? throw new ArgumentNullException(nameof(options.QuadraticTerm));
        var n = q.GetLength(0);
        if (n < 1 || q.GetLength(1) != n)
            throw new ArgumentException($"QuadraticTerm must be a square n × n matrix with n ≥ 1, got {q.GetLength(0)} × {q.GetLength(1)}.", nameof(options.QuadraticTerm));
        CheckFinite(q, nameof(options.QuadraticTerm));
        CheckSymmetric(q);

        var (m, g) = Matrix(options.InequalityMatrix, n, nameof(options.InequalityMatrix));
        var h = Bound(options.InequalityBound, options.InequalityBoundColumnName, options.InequalityMatrix is not null, m,
            nameof(options.InequalityBound), nameof(options.InequalityBoundColumnName), nameof(options.InequalityMatrix));
        var (k, a) = Matrix(options.EqualityMatrix, n, nameof(options.EqualityMatrix));
        var b = Bound(options.EqualityBound, options.EqualityBoundColumnName, options.EqualityMatrix is not null, k,
            nameof(options.EqualityBound), nameof(options.EqualityBoundColumnName), nameof(options.EqualityMatrix));

        var solverOptions = options.SolverOptions ?? throw new ArgumentNullException(nameof(options.SolverOptions));
        solverOptions.Validate();
        var output = options.OutputColumnName;
        var status = options.StatusColumnName ?? output + "Status";
        OptionChecks.ColumnName(status, nameof(options.StatusColumnName));
        if (status == output)
            throw new ArgumentException($"StatusColumnName must differ from OutputColumnName ('{output}').", nameof(options.StatusColumnName));
        return new QpSolvingSettings
        {
            OutputColumnName = output,
            LinearTermColumnName = options.LinearTermColumnName ?? output,
            StatusColumnName = status,
            InequalityBoundColumnName = options.InequalityBoundColumnName,
            EqualityBoundColumnName = options.EqualityBoundColumnName,
            VariableCount = n,
            InequalityCount = m,
            EqualityCount = k,
            Q = Flatten(q),
            G = g,
            H = h,
            A = a,
            B = b,
            SolverOptions = solverOptions,
        };
    }

    private static (int Rows, double[] Values) Matrix(double[,]? matrix, int n, string name)
    {
        if (matrix is null)
            return (0, []);
        if (matrix.GetLength(1) != n)
            throw new ArgumentException($"{name} must have n = {n} columns (the size of QuadraticTerm), got {matrix.GetLength(0)} × {matrix.GetLength(1)}.", name);
        CheckFinite(matrix, name);
        return (matrix.GetLength(0), Flatten(matrix));
    }

    private static double[]? Bound(double[]? values, string? column, bool hasMatrix, int rows, string name, string columnName, string matrixName)
    {
        if (!hasMatrix)
        {
            if (values is not null || column is not null)
                throw new ArgumentException($"{name} or {columnName} is set but {matrixName} is null.", values is not null ? name : columnName);
            return null;
        }
        if ((values is null) == (column is null))
            throw new ArgumentException($"Exactly one of {name} (fixed values) and {columnName} (a column) must be set when {matrixName} is set.", name);
        if (column is not null)
        {
            OptionChecks.ColumnName(column, columnName);
            return null;
        }
        if (values!.Length != rows)
            throw new ArgumentException($"{name} must have length {rows} (the rows of {matrixName}), got {values.Length}.", name);
        if (!values.All(double.IsFinite))
            throw new ArgumentException($"{name} must be finite.", name);
        return (double[])values.Clone();
    }

    private static void CheckFinite(double[,] matrix, string name)
    {
        foreach (var value in matrix)
            if (!double.IsFinite(value))
                throw new ArgumentException($"{name} must be finite, found {value}.", name);
    }

    private static void CheckSymmetric(double[,] q)
    {
        var n = q.GetLength(0);
        var scale = 1.0;
        foreach (var value in q)
            scale = Math.Max(scale, Math.Abs(value));
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                if (Math.Abs(q[i, j] - q[j, i]) > 1e-12 * scale)
                    throw new ArgumentException($"QuadraticTerm must be symmetric, but Q[{i},{j}] = {q[i, j]} and Q[{j},{i}] = {q[j, i]}.", "QuadraticTerm");
    }

    private static double[] Flatten(double[,] matrix)
    {
        var values = new double[matrix.Length];
        var i = 0;
        foreach (var value in matrix)
            values[i++] = value;
        return values;
    }
}
