using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The block-diagonal D = DΠ_K*(v) of a batch as its dense diagonal blocks (1 × 1 for zero and nonnegative cones, 3 × 3
/// per exponential triple, one block per second-order or PSD cone), read from the matrix-free operator by applying it to
/// one indicator vector per block column (column t of every block at once), so that nothing of order m² is formed.
/// </summary>
internal sealed class DerivativeBlocks
{
    /// <summary>The layout of the blocks of D for the cones <paramref name="cones"/>; <see cref="Read"/> fills in their values.</summary>
    public DerivativeBlocks(IReadOnlyList<Cone> cones)
    {
        var starts = new List<int>();
        var sizes = new List<int>();
        var secondOrder = new List<bool>();
        int row = 0;
        foreach (var cone in cones)
        {
            int r = Math.Max(1, BlockSize(cone));
            for (int b = 0; b < cone.Rows; b += r)
            {
                starts.Add(row + b);
                sizes.Add(r);
                secondOrder.Add(cone is SecondOrderCone);
            }
            row += cone.Rows;
        }
        Rows = row;
        Starts = starts.ToArray();
        Sizes = sizes.ToArray();
        SecondOrder = secondOrder.ToArray();
        Storage = new int[Starts.Length + 1];
        for (int k = 0; k < Starts.Length; k++) Storage[k + 1] = Storage[k] + Sizes[k] * Sizes[k];
    }

    /// <summary>
    /// Reads the blocks of <paramref name="d"/> (rows m) of a batch of <paramref name="batch"/> into <see cref="Values"/>
    /// (one application of D per block column; the layout alone, which decides whether the sparse solver pays, needs none).
    /// </summary>
    public DerivativeBlocks Read(IConeOperator d, long batch, Device device)
    {
        int row = Rows;
        Values = new double[batch * Storage[^1]];
        int widest = Sizes.Length == 0 ? 0 : Sizes.Max();
        using var scope = NewDisposeScope();
        for (int t = 0; t < widest; t++)
        {
            var unit = new double[row];
            for (int k = 0; k < Starts.Length; k++)
                if (t < Sizes[k]) unit[Starts[k] + t] = 1;
            var image = Native.TensorCopy.ToDoubles(d.Apply(tensor(unit, dtype: ScalarType.Float64, device: device).unsqueeze(0).expand(batch, row)));
            for (long item = 0; item < batch; item++)
                for (int k = 0; k < Starts.Length; k++)
                {
                    int r = Sizes[k];
                    if (t >= r) continue;
                    for (int i = 0; i < r; i++) Values[item * Storage[^1] + Storage[k] + i * r + t] = image[item * row + Starts[k] + i];
                }
        }
        return this;
    }

    /// <summary>m.</summary>
    public int Rows { get; }

    /// <summary>Each block's first row.</summary>
    public int[] Starts { get; }

    /// <summary>Each block's order.</summary>
    public int[] Sizes { get; }

    /// <summary>Whether each block is a second-order cone's.</summary>
    public bool[] SecondOrder { get; }

    /// <summary>Where each block starts in an item's storage (blocks + 1 entries; the last is the item's length).</summary>
    public int[] Storage { get; }

    /// <summary>The blocks, row-major, item after item (empty until <see cref="Read"/>).</summary>
    public double[] Values { get; private set; } = [];

    /// <summary>D of the given items as dense (items, m, m) float64 matrices on <paramref name="device"/>.</summary>
    public Tensor Dense(long[] items, Device device)
    {
        int m = Rows, storage = Storage[^1];
        var dense = new double[items.Length * m * m];
        for (int t = 0; t < items.Length; t++)
            for (int k = 0; k < Starts.Length; k++)
            {
                int r = Sizes[k], start = Starts[k];
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                        dense[(long)t * m * m + (start + i) * m + start + j] = Values[items[t] * storage + Storage[k] + i * r + j];
            }
        return tensor(dense, dtype: ScalarType.Float64, device: device).view(items.Length, m, m);
    }

    /// <summary>The order of the blocks D has on a cone.</summary>
    private static int BlockSize(Cone cone) => cone switch
    {
        ExponentialCone => 3,
        SecondOrderCone or PsdCone => cone.Rows,
        _ => 1,
    };
}
