namespace DiffOpt.ML.Convex;

/// <summary>Row-block helpers shared by the convex transform and the ConvexLayer model: gathering rows, checking values.</summary>
internal static class RowValues
{
    /// <summary>The <paramref name="width"/> values of each of <paramref name="rows"/>, stored row after row in <paramref name="values"/>, side by side.</summary>
    public static double[] Gather(double[] values, IReadOnlyList<int> rows, int width)
    {
        var selected = new double[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
            Array.Copy(values, rows[i] * width, selected, i * width, width);
        return selected;
    }

    /// <summary>
    /// What rules a row out, given its values of each parameter in turn (<paramref name="sizes"/> entries each):
    /// <see cref="SolverStatusColumn.NonFiniteInputKey"/> for a NaN or infinity anywhere,
    /// <see cref="SolverStatusColumn.InvalidInputKey"/> for a negative entry of a parameter whose
    /// <paramref name="nonnegative"/> flag is set, 0 when the row can be solved.
    /// </summary>
    public static uint Problem(ReadOnlySpan<double> values, IReadOnlyList<int> sizes, IReadOnlyList<bool> nonnegative)
    {
        uint problem = 0;
        int offset = 0;
        for (int i = 0; i < sizes.Count; i++)
        {
            foreach (var v in values.Slice(offset, sizes[i]))
            {
                if (!double.IsFinite(v)) return SolverStatusColumn.NonFiniteInputKey;
                if (v < 0 && nonnegative[i]) problem = SolverStatusColumn.InvalidInputKey;
            }
            offset += sizes[i];
        }
        return problem;
    }
}
