using System.Text.Json;

namespace DiffOpt.Benchmarks.QpCase;

/// <summary>Reads a JSON nested list of numbers (a rectangular n-d array) into a flat row-major array and its shape.</summary>
public static class NestedArray
{
    /// <summary>
    /// The shape is read along the first elements (an empty list ends it with a 0); every sub-list must match it.
    /// <paramref name="what"/> names the array in error messages.
    /// </summary>
    public static (double[] Data, long[] Shape) Read(JsonElement element, string what)
    {
        var shape = new List<long>();
        var probe = element;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            int length = probe.GetArrayLength();
            shape.Add(length);
            if (length == 0) break;
            probe = probe[0];
        }
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[count];
        int written = 0;
        Fill(element, 0);
        return (data, shape.ToArray());

        void Fill(JsonElement e, int depth)
        {
            if (depth == shape.Count)
            {
                if (e.ValueKind != JsonValueKind.Number)
                    throw new InvalidDataException($"{what}: expected a number at depth {depth}, found {e.ValueKind}.");
                data[written++] = e.GetDouble();
                return;
            }
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != shape[depth])
                throw new InvalidDataException($"{what}: ragged array; expected {shape[depth]} entries at depth {depth} (shape ({string.Join(",", shape)})).");
            foreach (var child in e.EnumerateArray()) Fill(child, depth + 1);
        }
    }
}
