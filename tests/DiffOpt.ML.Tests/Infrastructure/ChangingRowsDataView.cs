using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>
/// A generator with state: each cursor opened gets different rows (a vector column "P" of size 3 whose values
/// depend on how many cursors were opened before), so two unshuffled cursors do not see the same rows. Its
/// getter hands out one shared buffer, as ML.NET getters may, so a consumer that keeps values must copy them.
/// </summary>
internal sealed class ChangingRowsDataView(int rowCount) : IDataView
{
    private int _cursorsOpened;

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = BuildSchema();

    public long? GetRowCount() => rowCount;

    /// <summary>The values of row <paramref name="row"/> for the cursor numbered <paramref name="cursor"/>.</summary>
    public static float[] Values(int cursor, long row) => [cursor + row % 7 - 3f, -0.25f * (row % 5), cursor * 0.5f - 1];

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(Schema, rowCount, _cursorsOpened++);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema BuildSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("P", new VectorDataViewType(NumberDataViewType.Single, 3));
        return builder.ToSchema();
    }

    private sealed class Cursor(DataViewSchema schema, int rowCount, int cursor) : DataViewRowCursor
    {
        private readonly float[] _shared = new float[3];
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= rowCount)
            {
                _position = -1;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                Values(cursor, _position).CopyTo(_shared, 0);
                value = new VBuffer<float>(3, _shared);
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
    }
}
