using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// What a DiffOpt transformer's <c>Transform</c> returns: the lazy <see cref="AppendedColumnsDataView"/>, also
/// usable by ML.NET's data-pipeline machinery that works on chains of <see cref="IDataTransform"/>s (re-applying a
/// trained chain to new data, saving a data pipeline). It re-applies itself to new data without a round trip
/// (<see cref="ITransformTemplate"/>), and saves itself in the format of ML.NET's own RowToRowMapperTransform with
/// a <see cref="RowMapperAdapter"/> inside, so ML.NET loads it back as it loads its own transforms.
/// </summary>
internal sealed class TransformedDataView : ITransformTemplate
{
    // RowToRowMapperTransform's record, unchanged since ML.NET 0.x (its GetVersionInfo is private).
    private const string RowMapperModelSignature = "ROW MPPR";
    private const uint RowMapperVersion = 0x00010001;
    private const string RowMapperLoaderSignature = "RowToRowMapper";

    private readonly DiffOptTransformer _transformer;
    private readonly AppendedColumnsMapper _mapper;
    private readonly AppendedColumnsDataView _view;

    public TransformedDataView(DiffOptTransformer transformer, AppendedColumnsMapper mapper, IDataView source)
    {
        _transformer = transformer;
        _mapper = mapper;
        _view = new AppendedColumnsDataView(source, mapper);
    }

    public IDataView Source => _view.Source;

    public bool CanShuffle => _view.CanShuffle;

    public DataViewSchema Schema => _view.Schema;

    public long? GetRowCount() => _view.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        _view.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _view.GetRowCursorSet(columnsNeeded, n, rand);

    public IDataTransform ApplyToData(IHostEnvironment env, IDataView newSource) => (IDataTransform)_transformer.Transform(newSource);

    public void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(new VersionInfo(RowMapperModelSignature, RowMapperVersion, RowMapperVersion, RowMapperVersion,
            loaderAssemblyName: typeof(RowToRowMapperTransform).Assembly.FullName, loaderSignature: RowMapperLoaderSignature));
        ctx.SaveModel(new RowMapperAdapter(_transformer, _mapper), "Mapper");
    }
}
