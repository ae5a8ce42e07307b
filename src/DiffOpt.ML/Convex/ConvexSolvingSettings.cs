using DiffOpt.Modeling;

namespace DiffOpt.ML.Convex;

/// <summary>The checked, immutable settings of a <see cref="ConvexSolvingTransformer"/>.</summary>
internal sealed class ConvexSolvingSettings
{
    private ConvexSolvingSettings(Problem problem, ParameterColumn[] inputs, VariableColumn[] outputs, string status, ConvexLayerOptions options)
    {
        Problem = problem;
        Inputs = inputs;
        Outputs = outputs;
        StatusColumnName = status;
        SolverOptions = options;
    }

    public Problem Problem { get; }

    public IReadOnlyList<ParameterColumn> Inputs { get; }

    public IReadOnlyList<VariableColumn> Outputs { get; }

    public string StatusColumnName { get; }

    public ConvexLayerOptions SolverOptions { get; }

    /// <summary>True for a model saved before the status column became a key (format 0x00010001): it writes the names as text.</summary>
    public bool TextStatus { get; private init; }

    /// <summary>These settings, writing the status column as text.</summary>
    public ConvexSolvingSettings WithTextStatus() => new(Problem, [.. Inputs], [.. Outputs], StatusColumnName, SolverOptions) { TextStatus = true };

    /// <summary>Checks the options: a DPP problem, every parameter bound to one column, known variables, distinct names.</summary>
    /// <exception cref="ArgumentException">The message names the offending option, parameter, variable or column.</exception>
    /// <exception cref="DcpException">The problem is not DCP.</exception>
    /// <exception cref="DppException">The problem is not DPP.</exception>
    public static ConvexSolvingSettings FromOptions(ConvexSolvingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problem = options.Problem ?? throw new ArgumentException("Options.Problem is required.", nameof(options));
        problem.CheckDpp();
        var inputs = (options.Inputs ?? []).ToArray();
        var outputs = (options.Outputs ?? []).ToArray();
        var parameters = problem.Parameters;
        if (inputs.Length == 0)
            throw new ArgumentException("Options.Inputs is empty: bind every parameter of the problem to a column.", nameof(options));
        foreach (var input in inputs)
        {
            if (input is null || string.IsNullOrWhiteSpace(input.ColumnName) || input.Parameter is null)
                throw new ArgumentException("Options.Inputs holds an entry without a column name or parameter.", nameof(options));
            if (!parameters.Contains(input.Parameter))
                throw new ArgumentException($"Options.Inputs: parameter '{input.Parameter.Name}' (column '{input.ColumnName}') does not occur in the problem.", nameof(options));
        }
        foreach (var p in parameters)
        {
            int bound = inputs.Count(i => ReferenceEquals(i.Parameter, p));
            if (bound != 1)
                throw new ArgumentException($"Options.Inputs: parameter '{p.Name}' of the problem is bound to {bound} columns; expected exactly one.", nameof(options));
        }
        if (outputs.Length == 0)
            throw new ArgumentException("Options.Outputs is empty: name at least one variable to write.", nameof(options));
        var variables = problem.Variables;
        foreach (var output in outputs)
        {
            if (output is null || string.IsNullOrWhiteSpace(output.ColumnName) || output.Variable is null)
                throw new ArgumentException("Options.Outputs holds an entry without a column name or variable.", nameof(options));
            if (!variables.Contains(output.Variable))
                throw new ArgumentException($"Options.Outputs: variable '{output.Variable.Name}' (column '{output.ColumnName}') does not occur in the problem.", nameof(options));
        }
        var status = string.IsNullOrWhiteSpace(options.StatusColumnName) ? "Status" : options.StatusColumnName;
        var written = outputs.Select(o => o.ColumnName).Append(status).ToArray();
        if (written.Distinct().Count() != written.Length)
            throw new ArgumentException($"Options: the output and status column names must be distinct; got {string.Join(", ", written)}.", nameof(options));
        var solverOptions = options.SolverOptions ?? ConvexLayerOptions.Default;
        solverOptions.Cone.Validate();
        solverOptions.Qp.Validate();
        return new ConvexSolvingSettings(problem, inputs, outputs, status, solverOptions);
    }
}
