using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.RoundTripHelper;

/// <summary>Binary encodings of input rows and of model outputs, so two processes can compare outputs bit for bit.</summary>
public static class RoundTripData
{
    public static void WriteRows(string path, IReadOnlyList<RoundTripRow> rows)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(rows.Count);
        foreach (var row in rows)
            foreach (var value in row.A.Concat(row.B).Concat(row.Label))
                writer.Write(value);
    }

    public static List<RoundTripRow> ReadRows(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var count = reader.ReadInt32();
        var rows = new List<RoundTripRow>();
        for (var i = 0; i < count; i++)
        {
            float[] Read(int n) => Enumerable.Range(0, n).Select(_ => reader.ReadSingle()).ToArray();
            rows.Add(new RoundTripRow { A = Read(3), B = Read(2), Label = Read(RoundTripRow.LabelSize) });
        }
        return rows;
    }

    /// <summary>The values of the named columns (vectors of Single or Double, UInt32 keys, or text), row by row, as bytes.</summary>
    public static byte[] EncodeColumns(IDataView data, IReadOnlyList<string> columns)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        var selected = columns.Select(name => data.Schema[name]).ToArray();
        using var cursor = data.GetRowCursor(selected);
        var encoders = selected.Select(c => Encoder(cursor, c, writer)).ToArray();
        while (cursor.MoveNext())
            foreach (var encode in encoders)
                encode();
        writer.Flush();
        return stream.ToArray();
    }

    private static Action Encoder(DataViewRowCursor cursor, DataViewSchema.Column column, BinaryWriter writer)
    {
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        if (item == NumberDataViewType.Single)
            return VectorEncoder<float>(cursor, column, writer.Write);
        if (item == NumberDataViewType.Double)
            return VectorEncoder<double>(cursor, column, writer.Write);
        if (column.Type is KeyDataViewType)
        {
            var key = cursor.GetGetter<uint>(column);
            uint k = 0;
            return () =>
            {
                key(ref k);
                writer.Write(k);
            };
        }
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> chars = default;
        return () =>
        {
            text(ref chars);
            writer.Write(chars.ToString());
        };
    }

    private static Action VectorEncoder<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Action<T> write)
    {
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        VBuffer<T> buffer = default;
        return () =>
        {
            getter(ref buffer);
            foreach (var value in buffer.DenseValues())
                write(value);
        };
    }
}
