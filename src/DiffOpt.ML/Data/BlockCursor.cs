using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>
/// An unshuffled cursor of an <see cref="AppendedColumnsDataView"/> that reads its source once, through one
/// source cursor: when the consumer moves past the current block, the next block of up to
/// <see cref="AppendedColumnsMapper.BlockSize"/> rows is read from the source, the computation's inputs and the
/// requested pass-through columns (with row ids and batches) are copied into slots, and the block is computed
/// when an appended value is first asked for. Every column is then served from the slots.
/// </summary>
internal sealed class BlockCursor : DataViewRowCursor
{
    private readonly AppendedColumnsMapper _mapper;
    private readonly DataViewRowCursor _input;
    private readonly BlockComputation _computation;
    private readonly int _blockSize;

    // By input column index: the caches of the requested pass-through columns (null for the others).
    private readonly ColumnCache?[] _passThrough;
    private readonly ColumnCache[] _stored;
    private readonly Delegate?[] _appended;
    private readonly ValueGetter<DataViewRowId> _sourceIds;
    private readonly DataViewRowId[] _ids;
    private readonly long[] _batches;

    private int _count;
    private int _slot = -1;
    private bool _computed;
    private bool _sourceDone;
    private bool _done;
    private long _position = -1;

    /// <summary>
    /// Creates the cursor over <paramref name="input"/>, which must have active the mapper's dependencies and
    /// the pass-through columns <paramref name="passThrough"/> (input column indices, each of a type
    /// <see cref="ColumnCache.CanCache"/> accepts); <paramref name="active"/> says which appended columns to serve.
    /// </summary>
    public BlockCursor(AppendedColumnsMapper mapper, DataViewRowCursor input, IReadOnlyCollection<int> passThrough, bool[] active)
    {
        _mapper = mapper;
        _input = input;
        _blockSize = mapper.BlockSize;
        _computation = mapper.CreateComputation(input, _blockSize);
        _passThrough = new ColumnCache?[mapper.InputCount];
        foreach (var index in passThrough)
            _passThrough[index] = ColumnCache.Create(input, input.Schema[index], _blockSize);
        _stored = _passThrough.OfType<ColumnCache>().ToArray();
        _appended = _computation.CreateGetters(ComputedSlot, active);
        _sourceIds = input.GetIdGetter();
        _ids = new DataViewRowId[_blockSize];
        _batches = new long[_blockSize];
    }

    /// <summary>Rows served so far, minus one; −1 before the first row and after the last.</summary>
    public override long Position => _position;

    /// <summary>The source cursor's batch for the current row.</summary>
    public override long Batch => _slot >= 0 && _slot < _count ? _batches[_slot] : 0;

    /// <inheritdoc/>
    public override DataViewSchema Schema => _mapper.OutputSchema;

    /// <inheritdoc/>
    public override bool MoveNext()
    {
        if (_done)
            return false;
        if (++_slot >= _count && !ReadBlock())
        {
            _done = true;
            _position = -1;
            return false;
        }
        _position++;
        return true;
    }

    /// <summary>The source row id of the current row, as read with its block.</summary>
    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[CurrentSlot()];

    /// <inheritdoc/>
    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _mapper.InputCount
            ? _passThrough[column.Index] is not null
            : _appended[column.Index - _mapper.InputCount] is not null;

    /// <inheritdoc/>
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var getter = column.Index < _mapper.InputCount
            ? _passThrough[column.Index]?.CreateGetter(CurrentSlot)
            : _appended[column.Index - _mapper.InputCount];
        if (getter is null)
            throw new InvalidOperationException($"Column '{column.Name}' is not active.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Reads the next block of rows from the source into the slots; false if the source has no more rows.</summary>
    private bool ReadBlock()
    {
        _count = 0;
        _slot = 0;
        _computed = false;
        while (!_sourceDone && _count < _blockSize)
        {
            if (!_input.MoveNext())
            {
                _sourceDone = true;
                break;
            }
            _computation.ReadRow(_count);
            foreach (var cache in _stored)
                cache.Store(_count);
            _sourceIds(ref _ids[_count]);
            _batches[_count] = _input.Batch;
            _count++;
        }
        return _count > 0;
    }

    /// <summary>The current row's slot; throws when the cursor is not on a row.</summary>
    private int CurrentSlot() =>
        _position >= 0 ? _slot : throw new InvalidOperationException("The cursor is not on a row.");

    /// <summary>The current row's slot, computing the block's appended values first if they are not yet.</summary>
    private int ComputedSlot()
    {
        var slot = CurrentSlot();
        if (!_computed)
        {
            _computation.Compute(_count);
            _computed = true;
        }
        return slot;
    }
}
