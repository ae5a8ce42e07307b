using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using DiffOpt.Qp;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// Solves, for every row, the QP
/// <code>
///   minimize ½zᵀQz + pᵀz   subject to   Gz ≤ h,  Az = b
/// </code>
/// whose linear term p (and optionally h and b) come from vector columns while Q, G and A are fixed: the
/// "predict, then optimize" step after any ML.NET regressor. Writes the solution vector and a status column.
/// Create it with <see cref="DiffOptCatalog.SolveQp(TransformsCatalog, QpSolvingEstimator.Options)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of Single or Double (p, and optionally h and b) |
/// | Output column data type | Known-size vector of p's item type (solution); key of UInt32 with KeyValues names (status, see <see cref="SolverStatusColumn"/>) |
/// | Exportable to ONNX | No |
///
/// A row whose problem has no solution (for example, infeasible) gets its status (<c>PrimalInfeasible</c>, …) and
/// a solution of NaN, never an exception (unless <see cref="QpSolverOptions.ThrowOnFailure"/> is set). A row with
/// a NaN or infinite input value gets the status <c>NonFiniteInput</c> (key <see cref="SolverStatusColumn.NonFiniteInputKey"/>) and a
/// NaN solution.
/// ]]></format>
/// </remarks>
public sealed class QpSolvingEstimator : IEstimator<QpSolvingTransformer>
{
    /// <summary>Options of <see cref="QpSolvingEstimator"/>. Immutable; derive variants with <c>with</c>.</summary>
    public sealed record Options
    {
        /// <summary>Name of the solution column. Default "Solution".</summary>
        public string OutputColumnName { get; init; } = "Solution";

        /// <summary>Name of the column holding p (length n); null (the default) means <see cref="OutputColumnName"/>.</summary>
        public string? LinearTermColumnName { get; init; }

        /// <summary>Name of the status column; null (the default) means <see cref="OutputColumnName"/> + "Status".</summary>
        public string? StatusColumnName { get; init; }

        /// <summary>Q, n × n, symmetric positive semidefinite (zero for a linear program). Required.</summary>
        public double[,] QuadraticTerm { get; init; } = new double[0, 0];

        /// <summary>G, m × n, or null for no inequality constraints.</summary>
        public double[,]? InequalityMatrix { get; init; }

        /// <summary>h (length m), fixed; give it or <see cref="InequalityBoundColumnName"/> when G is set.</summary>
        public double[]? InequalityBound { get; init; }

        /// <summary>Name of a column holding h per row (length m), instead of <see cref="InequalityBound"/>.</summary>
        public string? InequalityBoundColumnName { get; init; }

        /// <summary>A, k × n, or null for no equality constraints.</summary>
        public double[,]? EqualityMatrix { get; init; }

        /// <summary>b (length k), fixed; give it or <see cref="EqualityBoundColumnName"/> when A is set.</summary>
        public double[]? EqualityBound { get; init; }

        /// <summary>Name of a column holding b per row (length k), instead of <see cref="EqualityBound"/>.</summary>
        public string? EqualityBoundColumnName { get; init; }

        /// <summary>Options of the QP solver. Default <see cref="QpSolverOptions.Default"/>.</summary>
        public QpSolverOptions SolverOptions { get; init; } = QpSolverOptions.Default;
    }

    private const string LinearTermRole = "linear term";
    private const string InequalityBoundRole = "inequality bound";
    private const string EqualityBoundRole = "equality bound";

    private readonly IHost _host;
    private readonly QpSolvingSettings _settings;

    internal QpSolvingEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _settings = QpSolvingSettings.FromOptions(options);
        _host = environment.Register(nameof(QpSolvingEstimator));
    }

    /// <summary>
    /// Checks that the linear-term column (and the bound columns, when named) are known-size vectors of Single or
    /// Double and returns the input schema with the solution and status columns added. Vector lengths are
    /// checked by <see cref="Fit"/> and the transformer, before any row is read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var p = SchemaCheck.NumericVector(inputSchema, LinearTermRole, _settings.LinearTermColumnName);
        if (_settings.InequalityBoundColumnName is { } h)
            SchemaCheck.NumericVector(inputSchema, InequalityBoundRole, h);
        if (_settings.EqualityBoundColumnName is { } b)
            SchemaCheck.NumericVector(inputSchema, EqualityBoundRole, b);
        return SchemaCheck.Append(inputSchema,
            MlNetInterop.VectorColumn(_settings.OutputColumnName, p.ItemType),
            MlNetInterop.KeyColumnWithNames(_settings.StatusColumnName, NumberDataViewType.UInt32));
    }

    /// <summary>Checks the input schema (columns, types and lengths) and returns the transformer; reads no rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or length.</exception>
    public QpSolvingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(MlNetInterop.ShapeOf(input.Schema));
        var transformer = new QpSolvingTransformer(_host, _settings);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    internal static DataViewSchema.Column[] CheckColumns(DataViewSchema schema, QpSolvingSettings settings)
    {
        var columns = new List<DataViewSchema.Column>
        {
            SchemaCheck.NumericVector(schema, LinearTermRole, settings.LinearTermColumnName, settings.VariableCount),
        };
        if (settings.InequalityBoundColumnName is { } h)
            columns.Add(SchemaCheck.NumericVector(schema, InequalityBoundRole, h, settings.InequalityCount));
        if (settings.EqualityBoundColumnName is { } b)
            columns.Add(SchemaCheck.NumericVector(schema, EqualityBoundRole, b, settings.EqualityCount));
        return [.. columns];
    }
}
