namespace DiffOpt.Numerics;

/// <summary>
/// The nonzeros of a row-major matrix by rows (compressed sparse rows), built once, for per-item products and
/// norms that should cost the nonzeros rather than rows × columns. Items of a batch may share the row starts and
/// column indices (<see cref="DiffOpt.Cones.SparseBatchMatrix"/>) and hold their own values.
/// </summary>
internal sealed class CompressedRows
{
    /// <summary>The matrix with the nonzeros (<paramref name="starts"/>, <paramref name="columnIndices"/>, <paramref name="values"/>); the arrays are kept, not copied.</summary>
    public CompressedRows(int rows, int columns, int[] starts, int[] columnIndices, double[] values)
    {
        Rows = rows;
        Columns = columns;
        Starts = starts;
        ColumnIndices = columnIndices;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Row i's nonzeros are entries Starts[i] … Starts[i + 1] − 1 (Rows + 1 entries).</summary>
    public int[] Starts { get; }

    /// <summary>Column of each nonzero.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>Value of each nonzero.</summary>
    public double[] Values { get; }

    /// <summary>The nonzeros of the rows × columns row-major <paramref name="dense"/>.</summary>
    public static CompressedRows FromDense(ReadOnlySpan<double> dense, int rows, int columns)
    {
        var starts = new int[rows + 1];
        int count = 0;
        for (int k = 0; k < rows * columns; k++)
            if (dense[k] != 0) count++;
        var indices = new int[count];
        var values = new double[count];
        int at = 0;
        for (int i = 0; i < rows; i++)
        {
            var row = dense.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
                if (row[j] != 0)
                {
                    indices[at] = j;
                    values[at++] = row[j];
                }
            starts[i + 1] = at;
        }
        return new CompressedRows(rows, columns, starts, indices, values);
    }

    /// <summary>The same pattern with <paramref name="values"/> in place of <see cref="Values"/>.</summary>
    public CompressedRows WithValues(double[] values) => new(Rows, Columns, Starts, ColumnIndices, values);

    /// <summary>diag(<paramref name="rowFactors"/>)·M·diag(<paramref name="columnFactors"/>) on the same pattern.</summary>
    public CompressedRows Scaled(ReadOnlySpan<double> rowFactors, ReadOnlySpan<double> columnFactors)
    {
        var scaled = new double[Values.Length];
        for (int i = 0; i < Rows; i++)
            for (int p = Starts[i]; p < Starts[i + 1]; p++) scaled[p] = rowFactors[i] * Values[p] * columnFactors[ColumnIndices[p]];
        return WithValues(scaled);
    }

    /// <summary>Row i times x.</summary>
    public double Dot(int i, ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int p = Starts[i]; p < Starts[i + 1]; p++) sum += Values[p] * x[ColumnIndices[p]];
        return sum;
    }

    /// <summary>target += alpha · row i.</summary>
    public void AddScaled(int i, double alpha, Span<double> target)
    {
        for (int p = Starts[i]; p < Starts[i + 1]; p++) target[ColumnIndices[p]] += alpha * Values[p];
    }
}
