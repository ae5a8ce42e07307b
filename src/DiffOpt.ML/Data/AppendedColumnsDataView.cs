using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>
/// The lazy result of a DiffOpt transformer: rows of <see cref="Source"/> with the mapper's columns appended.
/// Nothing is computed until a cursor asks for an appended column's value.
/// </summary>
internal sealed class AppendedColumnsDataView : IDataView
{
    private readonly AppendedColumnsMapper _mapper;

    public AppendedColumnsDataView(IDataView source, AppendedColumnsMapper mapper)
    {
        Source = source;
        _mapper = mapper;
    }

    /// <summary>The input data.</summary>
    public IDataView Source { get; }

    /// <inheritdoc/>
    public bool CanShuffle => Source.CanShuffle;

    /// <inheritdoc/>
    public DataViewSchema Schema => _mapper.OutputSchema;

    /// <inheritdoc/>
    public long? GetRowCount() => Source.GetRowCount();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inputColumns = _mapper.GetDependencies(needed).Select(c => Source.Schema[c.Index]);
        var input = Source.GetRowCursor(inputColumns, rand);
        return new Cursor(input, _mapper.GetRow(input, needed));
    }

    /// <inheritdoc/>
    /// <remarks>Returns a single cursor: the appended columns are computed one row at a time.</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewRow _row;

        public Cursor(DataViewRowCursor input, DataViewRow row)
        {
            _input = input;
            _row = row;
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _row.Schema;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
