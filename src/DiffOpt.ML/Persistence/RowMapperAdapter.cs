using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// A DiffOpt transformer bound to an input schema, as ML.NET's <see cref="IRowMapper"/>: what ML.NET's
/// RowToRowMapperTransform wraps, saves under its "Mapper" entry and loads back through
/// <see cref="SignatureLoadRowMapper"/> (registered in AssemblyAttributes.cs). Rows are computed one at a time.
/// </summary>
internal sealed class RowMapperAdapter : IRowMapper
{
    private readonly DiffOptTransformer _transformer;
    private readonly AppendedColumnsMapper _mapper;

    public RowMapperAdapter(DiffOptTransformer transformer, AppendedColumnsMapper mapper)
    {
        _transformer = transformer;
        _mapper = mapper;
    }

    /// <summary>The row mapper a format's <see cref="SignatureLoadRowMapper"/> loader returns: <paramref name="transformer"/> over <paramref name="inputSchema"/>.</summary>
    public static IRowMapper Over(DiffOptTransformer transformer, DataViewSchema inputSchema) =>
        new RowMapperAdapter(transformer, transformer.MakeMapper(inputSchema));

    private int AppendedCount => _mapper.OutputSchema.Count - _mapper.InputCount;

    public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
    {
        if (!Enumerable.Range(0, AppendedCount).Any(activeOutput))
            return _ => false;
        var needed = _mapper.GetDependencies(_mapper.OutputSchema.Skip(_mapper.InputCount)).Select(c => c.Index).ToHashSet();
        return needed.Contains;
    }

    public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
    {
        disposer = null!;
        var active = Enumerable.Range(0, AppendedCount).Select(activeOutput).ToArray();
        return _mapper.CreateRowGetters(input, active)!;
    }

    public DataViewSchema.DetachedColumn[] GetOutputColumns() =>
        _mapper.OutputSchema.Skip(_mapper.InputCount).Select(c => new DataViewSchema.DetachedColumn(c.Name, c.Type, c.Annotations)).ToArray();

    public ITransformer GetTransformer() => _transformer;

    public void Save(ModelSaveContext ctx) => ((ICanSaveModel)_transformer).Save(ctx);
}
