using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;
using Microsoft.ML;

namespace DiffOpt.ML;

/// <summary>ML.NET catalog extensions for general convex problems written with <c>DiffOpt.Modeling</c>.</summary>
public static class ConvexCatalog
{
    /// <summary>
    /// Creates a <see cref="ConvexSolvingEstimator"/> that solves <see cref="ConvexSolvingEstimator.Options.Problem"/>
    /// per row with its parameters read from columns and writes the chosen variables and a status column.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The problem, its column bindings and solver settings.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="DcpException">The problem is not DCP.</exception>
    /// <exception cref="DppException">The problem is not DPP.</exception>
    public static ConvexSolvingEstimator SolveConvex(this TransformsCatalog catalog, ConvexSolvingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConvexSolvingEstimator(MlNetInterop.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// Creates a <see cref="ConvexSolvingEstimator"/> for <paramref name="problem"/>: each parameter is read from the
    /// column of the same name as the parameter, and each of <paramref name="variables"/> is written to the column
    /// of its name, with the status in <paramref name="statusColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="problem">A DPP problem.</param>
    /// <param name="variables">The variables to write (their names are the output column names).</param>
    /// <param name="statusColumnName">The status column.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static ConvexSolvingEstimator SolveConvex(this TransformsCatalog catalog, Problem problem,
        IReadOnlyList<Variable> variables, string statusColumnName = "Status")
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(variables);
        return catalog.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = problem,
            Inputs = problem.Parameters.Select(p => new ParameterColumn(p.Name, p)).ToArray(),
            Outputs = variables.Select(v => new VariableColumn(v?.Name ?? "", v!)).ToArray(),
            StatusColumnName = statusColumnName,
        });
    }
}
