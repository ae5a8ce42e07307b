using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>
/// A row-to-row mapper that passes every input column through and appends computed columns (hiding input
/// columns of the same name), the shape of both DiffOpt transformers. Subclasses say which input columns a
/// computation reads and create a <see cref="BlockComputation"/>; this class does the bookkeeping that
/// <see cref="IRowToRowMapper"/>, <see cref="AppendedColumnsDataView"/> and PredictionEngine need. A single
/// row (<see cref="GetRow"/>) is computed as a block of one; cursors compute blocks of <see cref="BlockSize"/>.
/// </summary>
internal abstract class AppendedColumnsMapper : IRowToRowMapper
{
    private readonly int _inputCount;

    protected AppendedColumnsMapper(DataViewSchema inputSchema, IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> appended)
    {
        InputSchema = inputSchema;
        _inputCount = inputSchema.Count;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var (name, type, annotations) in appended)
            builder.AddColumn(name, type, annotations);
        OutputSchema = builder.ToSchema();
    }

    /// <inheritdoc/>
    public DataViewSchema InputSchema { get; }

    /// <inheritdoc/>
    public DataViewSchema OutputSchema { get; }

    /// <summary>The input columns the appended columns are computed from.</summary>
    protected abstract IEnumerable<DataViewSchema.Column> Dependencies { get; }

    /// <summary>Rows computed together by a cursor.</summary>
    public virtual int BlockSize => 128;

    /// <summary>The number of input columns (appended columns follow them).</summary>
    public int InputCount => _inputCount;

    /// <summary>Creates a computation reading rows of <paramref name="input"/> into at most <paramref name="blockSize"/> slots.</summary>
    public abstract BlockComputation CreateComputation(DataViewRow input, int blockSize);

    /// <summary>Which appended columns (index 0 = first appended) are among <paramref name="columns"/>.</summary>
    public bool[] ActiveAppended(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[OutputSchema.Count - _inputCount];
        foreach (var column in columns)
            if (column.Index >= _inputCount)
                active[column.Index - _inputCount] = true;
        return active;
    }

    /// <inheritdoc/>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        var computed = false;
        foreach (var column in dependingColumns)
        {
            if (column.Index < _inputCount)
                needed.Add(column.Index);
            else
                computed = true;
        }
        if (computed)
            foreach (var column in Dependencies)
                needed.Add(column.Index);
        return needed.OrderBy(i => i).Select(i => InputSchema[i]).ToArray();
    }

    /// <inheritdoc/>
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var active = ActiveAppended(activeColumns);
        return new AppendedRow(this, input, CreateRowGetters(input, active));
    }

    /// <summary>
    /// Getters of the appended columns flagged in <paramref name="active"/> (null for the others) over
    /// <paramref name="input"/>, computing each row as a block of one when its position changes.
    /// </summary>
    public Delegate?[] CreateRowGetters(DataViewRow input, bool[] active)
    {
        if (!active.Any(a => a))
            return new Delegate?[active.Length];
        var computation = CreateComputation(input, 1);
        var position = -1L;
        int Slot()
        {
            if (position != input.Position)
            {
                computation.ReadRow(0);
                computation.Compute(1);
                position = input.Position;
            }
            return 0;
        }
        return computation.CreateGetters(Slot, active);
    }

    /// <summary>A row over the input row plus the appended getters.</summary>
    internal sealed class AppendedRow : DataViewRow
    {
        private readonly AppendedColumnsMapper _mapper;
        private readonly DataViewRow _input;
        private readonly Delegate?[] _getters;

        public AppendedRow(AppendedColumnsMapper mapper, DataViewRow input, Delegate?[] getters)
        {
            _mapper = mapper;
            _input = input;
            _getters = getters;
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < _mapper._inputCount
                ? _input.IsColumnActive(_input.Schema[column.Index])
                : _getters[column.Index - _mapper._inputCount] is not null;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _mapper._inputCount)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            var getter = _getters[column.Index - _mapper._inputCount]
                ?? throw new InvalidOperationException($"Column '{column.Name}' is not active.");
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Invalid TValue in GetGetter: '{typeof(TValue)}', expected type: '{column.Type.RawType}'.");
        }
    }
}
