using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// The shape every DiffOpt.ML transformer shares: it appends computed columns to its input, row to row. The output
/// schema, the row-to-row mapper and the lazy <see cref="Transform"/> all come from one mapper per input schema, which
/// checks the input columns before any row is read; <see cref="Transform"/> returns a view that ML.NET's own pipeline
/// machinery can re-apply and save (see the ML.NET guide). Saved and loaded by <c>mlContext.Model.Save/Load</c>.
/// </summary>
public abstract class DiffOptTransformer : ITransformer
{
    private protected DiffOptTransformer(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Host = environment.Register(name);
    }

    /// <summary>True: the transformer maps each row on its own.</summary>
    public bool IsRowToRowMapper => true;

    private protected IHost Host { get; }

    /// <summary>The input schema with the transformer's columns added.</summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type or size; the message names it.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => MakeMapper(inputSchema).OutputSchema;

    /// <summary>The row-to-row mapper over <paramref name="inputSchema"/> (used by PredictionEngine).</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <returns>The mapper.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type or size; the message names it.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => MakeMapper(inputSchema);

    /// <summary>Returns the lazy view of <paramref name="input"/> with the transformer's columns added; reads no rows.</summary>
    /// <param name="input">The data to transform.</param>
    /// <returns>The view; its rows are computed a block at a time when a cursor reaches them.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type or size; the message names it.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TransformedDataView(this, MakeMapper(input.Schema), input);
    }

    /// <summary>The mapper of this transformer over <paramref name="inputSchema"/>; checks the input columns.</summary>
    internal abstract AppendedColumnsMapper MakeMapper(DataViewSchema inputSchema);

    /// <summary>Writes the transformer into a model file (its format class).</summary>
    private protected abstract void SaveModel(ModelSaveContext ctx);

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);
}
