using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Passes a data view through and counts the cursors opened on it and the rows they read.</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    public int CursorsOpened { get; private set; }

    /// <summary>Rows served by every cursor opened on this view (successful MoveNext calls).</summary>
    public long RowsRead { get; private set; }

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        CursorsOpened++;
        return new CountingCursor(inner.GetRowCursor(columnsNeeded, rand), this);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        CursorsOpened++;
        return inner.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new CountingCursor(c, this)).ToArray();
    }

    private sealed class CountingCursor(DataViewRowCursor inner, CountingDataView owner) : DataViewRowCursor
    {
        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => inner.Schema;

        public override bool MoveNext()
        {
            if (!inner.MoveNext())
                return false;
            owner.RowsRead++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
