using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>Writes doubles into a reused Single or Double vector buffer (the values of an appended column).</summary>
internal static class VectorWriter
{
    /// <summary>Writes <paramref name="values"/> into <paramref name="destination"/>, reusing its arrays.</summary>
    public static void Write(ReadOnlySpan<double> values, ref VBuffer<double> destination)
    {
        var editor = VBufferEditor.Create(ref destination, values.Length);
        values.CopyTo(editor.Values);
        destination = editor.Commit();
    }

    /// <summary>Writes <paramref name="values"/> rounded to Single into <paramref name="destination"/>, reusing its arrays.</summary>
    public static void Write(ReadOnlySpan<double> values, ref VBuffer<float> destination)
    {
        var editor = VBufferEditor.Create(ref destination, values.Length);
        for (var i = 0; i < values.Length; i++)
            editor.Values[i] = (float)values[i];
        destination = editor.Commit();
    }

    /// <summary>A getter of a vector column of item type <paramref name="itemType"/> whose values <paramref name="compute"/> returns.</summary>
    public static Delegate Getter(DataViewType itemType, Func<ReadOnlyMemory<double>> compute) =>
        itemType == NumberDataViewType.Single
            ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => Write(compute().Span, ref dst))
            : (ValueGetter<VBuffer<double>>)((ref VBuffer<double> dst) => Write(compute().Span, ref dst));
}
