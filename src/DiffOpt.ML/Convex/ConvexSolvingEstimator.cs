using DiffOpt.ML.Convex;
using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// Solves, for every row, a convex <see cref="Problem"/> written with <c>DiffOpt.Modeling</c> whose parameters
/// come from input columns, and writes chosen variables' optimal values and a status column. Create it with
/// <see cref="ConvexCatalog.SolveConvex(TransformsCatalog, ConvexSolvingEstimator.Options)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of Single or Double per parameter (its entries row-major) |
/// | Output column data type | Known-size vector of the first input's item type per variable; key of UInt32 with KeyValues names (status, see <see cref="SolverStatusColumn"/>) |
/// | Exportable to ONNX | No |
///
/// A row whose problem has no solution gets its status (the key of a <see cref="SolverStatus"/> such as
/// <c>PrimalInfeasible</c>) and NaN outputs; a row with NaN/infinite input gets <c>NonFiniteInput</c>
/// (<see cref="SolverStatusColumn.NonFiniteInputKey"/>), a row whose values break a parameter's declared sign gets
/// <c>InvalidInput</c> (<see cref="SolverStatusColumn.InvalidInputKey"/>). Other rows of the block are unaffected.
/// ]]></format>
/// </remarks>
public sealed class ConvexSolvingEstimator : IEstimator<ConvexSolvingTransformer>
{
    /// <summary>Options of <see cref="ConvexSolvingEstimator"/>. Immutable; derive variants with <c>with</c>.</summary>
    public sealed record Options
    {
        /// <summary>The problem (DPP). Required.</summary>
        public Problem? Problem { get; init; }

        /// <summary>One column per parameter of the problem. Required.</summary>
        public IReadOnlyList<ParameterColumn> Inputs { get; init; } = [];

        /// <summary>The variables to write, one column each. Required (at least one).</summary>
        public IReadOnlyList<VariableColumn> Outputs { get; init; } = [];

        /// <summary>Name of the status column. Default "Status".</summary>
        public string StatusColumnName { get; init; } = "Status";

        /// <summary>Solver settings. Default <see cref="ConvexLayerOptions.Default"/>.</summary>
        public ConvexLayerOptions SolverOptions { get; init; } = ConvexLayerOptions.Default;
    }

    private readonly IHost _host;
    private readonly ConvexSolvingSettings _settings;

    internal ConvexSolvingEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _settings = ConvexSolvingSettings.FromOptions(options);
        _host = environment.Register(nameof(ConvexSolvingEstimator));
    }

    /// <summary>
    /// Checks that every parameter column is a known-size vector of Single or Double and returns the input schema
    /// with the variable and status columns added (lengths are checked by <see cref="Fit"/>, before any row is read).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names the column and the parameter.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var first = _settings.Inputs.Select(i => SchemaCheck.NumericVector(inputSchema, Role(i), i.ColumnName)).ToArray()[0];
        var appended = _settings.Outputs.Select(o => MlNetInterop.VectorColumn(o.ColumnName, first.ItemType))
            .Append(MlNetInterop.KeyColumnWithNames(_settings.StatusColumnName, NumberDataViewType.UInt32));
        return SchemaCheck.Append(inputSchema, [.. appended]);
    }

    /// <summary>Checks the input schema (columns, types and lengths) and returns the transformer; reads no rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or length.</exception>
    public ConvexSolvingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(MlNetInterop.ShapeOf(input.Schema));
        var transformer = new ConvexSolvingTransformer(_host, _settings);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>Finds every parameter column and checks its type and length.</summary>
    internal static DataViewSchema.Column[] CheckColumns(DataViewSchema schema, ConvexSolvingSettings settings) =>
        settings.Inputs.Select(i => SchemaCheck.NumericVector(schema, Role(i), i.ColumnName, i.Parameter.Shape.Size)).ToArray();

    private static string Role(ParameterColumn input) => $"parameter '{input.Parameter.Name}'";
}
