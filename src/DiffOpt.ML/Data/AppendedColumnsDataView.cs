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

    /// <summary>Appends <paramref name="mapper"/>'s columns to <paramref name="source"/>.</summary>
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
    /// <remarks>
    /// Without shuffling, the source is read once, through one cursor, a block of rows at a time: each block's
    /// computation inputs and requested pass-through columns are copied and its appended columns computed
    /// together (<see cref="BlockCursor"/>). With shuffling, or when a requested pass-through column has a type
    /// that cannot be copied generically (<see cref="ColumnCache.CanCache"/>), the appended columns are computed
    /// row by row over a single source cursor.
    /// </remarks>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inputColumns = _mapper.GetDependencies(needed).Select(c => Source.Schema[c.Index]).ToArray();
        var active = _mapper.ActiveAppended(needed);
        var passThrough = needed.Where(c => c.Index < _mapper.InputCount).Select(c => c.Index).Distinct().ToArray();
        var input = Source.GetRowCursor(inputColumns, rand);
        if (rand is not null || _mapper.BlockSize <= 1 || !active.Any(a => a)
            || !passThrough.All(i => ColumnCache.CanCache(Source.Schema[i].Type)))
            return new Cursor(input, _mapper.GetRow(input, needed));
        return new BlockCursor(_mapper, input, passThrough, active);
    }

    /// <inheritdoc/>
    /// <remarks>Returns a single cursor (see <see cref="GetRowCursor"/>).</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>A row-by-row cursor: the source cursor plus the mapper's row over it.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewRow _row;

        /// <summary>Creates the cursor over <paramref name="input"/>, serving <paramref name="row"/>'s columns.</summary>
        public Cursor(DataViewRowCursor input, DataViewRow row)
        {
            _input = input;
            _row = row;
        }

        /// <inheritdoc/>
        public override long Position => _input.Position;

        /// <inheritdoc/>
        public override long Batch => _input.Batch;

        /// <inheritdoc/>
        public override DataViewSchema Schema => _row.Schema;

        /// <inheritdoc/>
        public override bool MoveNext() => _input.MoveNext();

        /// <inheritdoc/>
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        /// <inheritdoc/>
        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        /// <inheritdoc/>
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
