using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>Reads a known-size Single or Double vector column of the current row as doubles, reusing one buffer.</summary>
internal abstract class VectorReader
{
    /// <summary>Creates a reader of <paramref name="column"/> (a vector of Single or Double) over <paramref name="row"/>.</summary>
    public static VectorReader Create(DataViewRow row, DataViewSchema.Column column) =>
        ColumnTypes.ItemType(column.Type) == NumberDataViewType.Single
            ? new Typed<float>(row.GetGetter<VBuffer<float>>(column), v => v)
            : new Typed<double>(row.GetGetter<VBuffer<double>>(column), v => v);

    /// <summary>Copies the current row's vector into <paramref name="destination"/> (dense; zeros where sparse).</summary>
    public abstract void Read(Span<double> destination);

    private sealed class Typed<T>(ValueGetter<VBuffer<T>> getter, Func<T, double> widen) : VectorReader
    {
        private VBuffer<T> _buffer;

        public override void Read(Span<double> destination)
        {
            getter(ref _buffer);
            destination.Clear();
            var values = _buffer.GetValues();
            if (_buffer.IsDense)
            {
                for (var i = 0; i < values.Length; i++)
                    destination[i] = widen(values[i]);
                return;
            }
            var indices = _buffer.GetIndices();
            for (var i = 0; i < values.Length; i++)
                destination[indices[i]] = widen(values[i]);
        }
    }
}
