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
    /// <remarks>
    /// Without shuffling, the appended columns are computed a block of rows at a time from a second, read-ahead
    /// cursor over the source (unshuffled cursors of a data view see the same rows in the same order); with
    /// shuffling, row by row.
    /// </remarks>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inputColumns = _mapper.GetDependencies(needed).Select(c => Source.Schema[c.Index]).ToArray();
        var active = _mapper.ActiveAppended(needed);
        if (rand is not null || _mapper.BlockSize <= 1 || !active.Any(a => a))
        {
            var input = Source.GetRowCursor(inputColumns, rand);
            return new Cursor(input, _mapper.GetRow(input, needed));
        }
        var main = Source.GetRowCursor(inputColumns);
        var ahead = Source.GetRowCursor(_mapper.GetDependencies(_mapper.OutputSchema.Skip(_mapper.InputCount)).Select(c => Source.Schema[c.Index]));
        var block = new ReadAhead(main, ahead, _mapper.CreateComputation(ahead, _mapper.BlockSize), _mapper.BlockSize);
        var getters = block.Computation.CreateGetters(block.Slot, active);
        return new Cursor(main, new AppendedColumnsMapper.AppendedRow(_mapper, main, getters), block);
    }

    /// <inheritdoc/>
    /// <remarks>Returns a single cursor (see <see cref="GetRowCursor"/>).</remarks>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>Computes blocks of rows from the read-ahead cursor as the main cursor reaches them.</summary>
    private sealed class ReadAhead(DataViewRowCursor main, DataViewRowCursor ahead, BlockComputation computation, int blockSize) : IDisposable
    {
        private long _blockStart;
        private int _blockCount;
        private long _aheadIndex = -1;

        public BlockComputation Computation { get; } = computation;

        /// <summary>The slot of the main cursor's current row, computing its block first if needed.</summary>
        public int Slot()
        {
            var row = main.Position;
            if (row < _blockStart || row >= _blockStart + _blockCount)
            {
                while (_aheadIndex < row - 1 && ahead.MoveNext())
                    _aheadIndex++;
                var count = 0;
                while (count < blockSize && ahead.MoveNext())
                {
                    _aheadIndex++;
                    Computation.ReadRow(count++);
                }
                if (count == 0 || _aheadIndex - count + 1 != row)
                    throw new InvalidOperationException("The source data view returned different rows to two unshuffled cursors.");
                Computation.Compute(count);
                _blockStart = row;
                _blockCount = count;
            }
            return (int)(row - _blockStart);
        }

        public void Dispose() => ahead.Dispose();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly DataViewRow _row;
        private readonly IDisposable? _readAhead;

        public Cursor(DataViewRowCursor input, DataViewRow row, IDisposable? readAhead = null)
        {
            _input = input;
            _row = row;
            _readAhead = readAhead;
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
            {
                _input.Dispose();
                _readAhead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
