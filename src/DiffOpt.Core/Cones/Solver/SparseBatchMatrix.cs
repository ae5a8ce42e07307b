using DiffOpt.Native;
using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A batch of rows × columns matrices held sparsely: a support shared by the items (compressed rows: row starts and
/// column indices, row-major order) and the values at it, (B, k), or (k) when one matrix is shared by the items. The
/// modeling layer's A is born this way (its data map computes the values at its support only), and the CPU kernel and
/// the sparse derivative read it without forming the dense (B, rows, columns) tensor; <see cref="Dense(long)"/> forms
/// that tensor for the consumers that still need it.
/// </summary>
internal sealed class SparseBatchMatrix
{
    private Tensor? _index;
    private double[]? _host;

    /// <summary>The matrices with support (<paramref name="starts"/>, <paramref name="columnIndices"/>) and <paramref name="values"/> (detached).</summary>
    public SparseBatchMatrix(int rows, int columns, int[] starts, int[] columnIndices, Tensor values)
    {
        if (starts.Length != rows + 1 || starts[rows] != columnIndices.Length || values.dim() is not (1 or 2) || values.shape[^1] != columnIndices.Length)
            throw new ArgumentException("The support and the values do not agree.", nameof(values));
        Rows = rows;
        Columns = columns;
        Starts = starts;
        ColumnIndices = columnIndices;
        Values = values.detach();
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Row i's support is entries Starts[i] … Starts[i + 1] − 1 (Rows + 1 entries).</summary>
    public int[] Starts { get; }

    /// <summary>Column of each support entry.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>The values at the support: (B, k), or (k) when shared by the items.</summary>
    public Tensor Values { get; }

    /// <summary>k, the size of the support.</summary>
    public int Entries => ColumnIndices.Length;

    /// <summary>Whether one matrix is shared by the items (<see cref="Values"/> is (k)).</summary>
    public bool Shared => Values.dim() == 1;

    /// <summary>The matrices whose row-major entries <paramref name="support"/> (ascending) hold <paramref name="values"/>.</summary>
    public static SparseBatchMatrix FromSupport(IReadOnlyList<long> support, int rows, int columns, Tensor values)
    {
        var starts = new int[rows + 1];
        var indices = new int[support.Count];
        for (int k = 0; k < support.Count; k++)
        {
            starts[support[k] / columns + 1]++;
            indices[k] = (int)(support[k] % columns);
        }
        for (int i = 0; i < rows; i++) starts[i + 1] += starts[i];
        return new SparseBatchMatrix(rows, columns, starts, indices, values);
    }

    /// <summary>
    /// The entries of <paramref name="mask"/> (rows × columns, row-major) of the dense <paramref name="dense"/>,
    /// (B, rows, columns) or (rows, columns) shared.
    /// </summary>
    public static SparseBatchMatrix Gather(Tensor dense, bool[] mask)
    {
        int rows = (int)dense.shape[^2], columns = (int)dense.shape[^1];
        var support = Support(mask);
        var index = tensor(support, dtype: ScalarType.Int64, device: dense.device);
        var flat = dense.detach().reshape([.. dense.shape[..^2], (long)rows * columns]);
        return FromSupport(support, rows, columns, flat.index_select(-1, index));
    }

    /// <summary>The same matrices with values in <paramref name="dtype"/>.</summary>
    public SparseBatchMatrix To(ScalarType dtype) => Values.dtype == dtype ? this : new(Rows, Columns, Starts, ColumnIndices, Values.to(dtype));

    /// <summary>The dense matrices, (B, rows, columns) (a broadcast view of one matrix when shared), zero off the support.</summary>
    public Tensor Dense(long batch)
    {
        if (Shared) return zeros((long)Rows * Columns, dtype: Values.dtype, device: Values.device).index_copy_(0, Index(), Values)
            .view(Rows, Columns).expand(batch, Rows, Columns);
        return zeros(batch, (long)Rows * Columns, dtype: Values.dtype, device: Values.device).index_copy_(1, Index(), Values)
            .view(batch, Rows, Columns);
    }

    /// <summary>The dense matrices of the given items, (items, rows, columns).</summary>
    public Tensor Dense(long[] items)
    {
        if (Shared) return Dense(items.Length);
        var selected = Values.index_select(0, tensor(items, device: Values.device));
        return zeros(items.Length, (long)Rows * Columns, dtype: Values.dtype, device: Values.device).index_copy_(1, Index(), selected)
            .view(items.Length, Rows, Columns);
    }

    /// <summary>The values as float64 host memory, (B · k) or (k), copied once.</summary>
    public double[] HostValues() => _host ??= TensorCopy.ToDoubles(Values);

    /// <summary>Item <paramref name="item"/>'s values (the shared ones when <see cref="Shared"/>).</summary>
    public ReadOnlySpan<double> ItemValues(int item) => HostValues().AsSpan(Shared ? 0 : item * Entries, Entries);

    /// <summary>Item <paramref name="item"/>'s matrix as compressed rows (its values copied, the support shared).</summary>
    public CompressedRows Item(int item) => new(Rows, Columns, Starts, ColumnIndices, ItemValues(item).ToArray());

    /// <summary>Item <paramref name="item"/>'s dense matrix, row-major, into <paramref name="into"/> (rows · columns).</summary>
    public void ScatterItem(int item, Span<double> into)
    {
        into.Clear();
        var values = ItemValues(item);
        for (int i = 0; i < Rows; i++)
            for (int p = Starts[i]; p < Starts[i + 1]; p++) into[i * Columns + ColumnIndices[p]] = values[p];
    }

    /// <summary>The entries (rows × columns, row-major) nonzero in some item: the union of the items' nonzeros.</summary>
    public bool[] NonzeroMask()
    {
        var mask = new bool[Rows * Columns];
        var values = HostValues();
        for (int i = 0; i < Rows; i++)
            for (int p = Starts[i]; p < Starts[i + 1]; p++)
            {
                int entry = i * Columns + ColumnIndices[p];
                for (int offset = p; offset < values.Length && !mask[entry]; offset += Entries) mask[entry] = values[offset] != 0;
            }
        return mask;
    }

    /// <summary>The same matrices on the support entries that <paramref name="mask"/> keeps (a subset of the support).</summary>
    public SparseBatchMatrix Restrict(bool[] mask)
    {
        var kept = new List<long>();
        for (int i = 0; i < Rows; i++)
            for (int p = Starts[i]; p < Starts[i + 1]; p++)
                if (mask[i * Columns + ColumnIndices[p]]) kept.Add(p);
        if (kept.Count == Entries) return this;
        var positions = tensor(kept.ToArray(), dtype: ScalarType.Int64, device: Values.device);
        return FromSupport(Support(mask), Rows, Columns, Values.index_select(-1, positions));
    }

    /// <summary>The row-major indices of the entries <paramref name="mask"/> keeps, ascending.</summary>
    private static long[] Support(bool[] mask)
    {
        var support = new List<long>();
        for (int e = 0; e < mask.Length; e++)
            if (mask[e]) support.Add(e);
        return support.ToArray();
    }

    /// <summary>The support's row-major entry indices as an int64 tensor on the values' device, built once.</summary>
    private Tensor Index()
    {
        if (_index is not null) return _index;
        var index = new long[Entries];
        for (int i = 0; i < Rows; i++)
            for (int p = Starts[i]; p < Starts[i + 1]; p++) index[p] = (long)i * Columns + ColumnIndices[p];
        return _index = tensor(index, dtype: ScalarType.Int64, device: Values.device).DetachFromDisposeScope();
    }
}
