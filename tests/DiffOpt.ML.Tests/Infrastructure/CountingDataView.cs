using Microsoft.ML;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Passes a data view through and counts the cursors opened on it, to prove laziness.</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    public int CursorsOpened { get; private set; }

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        CursorsOpened++;
        return inner.GetRowCursor(columnsNeeded, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        CursorsOpened++;
        return inner.GetRowCursorSet(columnsNeeded, n, rand);
    }
}
