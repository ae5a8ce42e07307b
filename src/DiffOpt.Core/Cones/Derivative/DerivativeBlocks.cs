using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The block-diagonal D = DΠ_K*(v) of a batch as its dense diagonal blocks (1 × 1 for zero and nonnegative cones, 3 × 3
/// per exponential triple, one block per second-order or PSD cone), read from each cone's operator: its diagonal, or its
/// dense matrix (of the cone's order only), so that nothing of order m² is formed; an operator whose blocks are not the
/// cones' is read by applying it to one indicator vector per block column (column t of every block at once).
/// </summary>
internal sealed class DerivativeBlocks
{
    /// <summary>The layout of the blocks of D for the cones <paramref name="cones"/>; <see cref="Read"/> fills in their values.</summary>
    public DerivativeBlocks(IReadOnlyList<Cone> cones)
    {
        var starts = new List<int>();
        var sizes = new List<int>();
        var rotatable = new List<bool>();
        int row = 0;
        foreach (var cone in cones)
        {
            int r = Math.Max(1, BlockSize(cone));
            for (int b = 0; b < cone.Rows; b += r)
            {
                starts.Add(row + b);
                sizes.Add(r);
                rotatable.Add(cone is SecondOrderCone or ExponentialCone or PsdCone);
            }
            row += cone.Rows;
        }
        Rows = row;
        Starts = starts.ToArray();
        Sizes = sizes.ToArray();
        Rotatable = rotatable.ToArray();
        Storage = new int[Starts.Length + 1];
        for (int k = 0; k < Starts.Length; k++) Storage[k + 1] = Storage[k] + Sizes[k] * Sizes[k];
    }

    /// <summary>
    /// Reads the blocks of <paramref name="d"/> (rows m) of a batch of <paramref name="batch"/> into <see cref="Values"/>
    /// (one application of D per block column; the layout alone, which decides whether the sparse solver pays, needs none).
    /// </summary>
    public DerivativeBlocks Read(IConeOperator d, long batch, Device device)
    {
        Values = new double[batch * Storage[^1]];
        using var scope = NewDisposeScope();
        if (d is BlockDiagonalOperator cones && ReadCones(cones.Blocks, batch)) return this;
        Array.Clear(Values);
        int row = Rows;
        int widest = Sizes.Length == 0 ? 0 : Sizes.Max();
        for (int t = 0; t < widest; t++)
        {
            var unit = new double[row];
            for (int k = 0; k < Starts.Length; k++)
                if (t < Sizes[k]) unit[Starts[k] + t] = 1;
            var image = TensorCopy.ToDoubles(d.Apply(tensor(unit, dtype: ScalarType.Float64, device: device).unsqueeze(0).expand(batch, row)));
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

    /// <summary>
    /// Reads the blocks from one operator per cone (<paramref name="operators"/>, in row order; false, with nothing read,
    /// where they do not match the layout): a diagonal operator's diagonal, an exponential cone's 3 × 3 blocks (or I
    /// minus them), or the dense matrix of an operator that is one block (a second-order or PSD cone: its order squared
    /// per item). No operator's dense matrix is formed beyond its blocks.
    /// </summary>
    private bool ReadCones(IReadOnlyList<IConeOperator> operators, long batch)
    {
        int block = 0, offset = 0;
        var ranges = new (int First, int End)[operators.Count];
        for (int o = 0; o < operators.Count; o++)
        {
            int first = block, end = offset + operators[o].Rows;
            while (block < Starts.Length && Starts[block] + Sizes[block] <= end) block++;
            if (block < Starts.Length && Starts[block] < end) return false;   // a block straddles two operators
            ranges[o] = (first, block);
            var inner = operators[o] is ComplementOperator complement ? complement.Inner : operators[o];
            bool whole = block - first == 1 && Sizes[first] == operators[o].Rows;
            bool triples = inner is TripleBlockOperator && Enumerable.Range(first, block - first).All(k => Sizes[k] == 3 && Starts[k] == offset + 3 * (k - first));
            if (!(inner is DiagonalOperator || whole || triples)) return false;
            offset = end;
        }
        if (offset != Rows || block != Starts.Length) return false;
        int storage = Storage[^1];
        offset = 0;
        for (int o = 0; o < operators.Count; o++)
        {
            int r = operators[o].Rows;
            var (diagonal, tensorValues) = Triples(operators[o]) ?? Of(operators[o]);
            var values = TensorCopy.ToDoubles(tensorValues);
            // Per item: the diagonal (r), the triples' blocks (r/3 · 9 = 3r) or the one dense block (r²).
            int width = diagonal ? r : values.Length / (int)Math.Max(1, batch);
            for (long item = 0; item < batch; item++)
                for (int k = ranges[o].First; k < ranges[o].End; k++)
                {
                    int size = Sizes[k], local = Starts[k] - offset;
                    var target = Values.AsSpan((int)(item * storage + Storage[k]), size * size);
                    for (int i = 0; i < size; i++)
                        if (diagonal) target[i * size + i] = values[item * width + local + i];
                        else if (size == r) values.AsSpan((int)(item * width + i * r), r).CopyTo(target.Slice(i * r, r));
                        else values.AsSpan((int)(item * width + 3 * local + 3 * i), 3).CopyTo(target.Slice(3 * i, 3));
                }
            offset += r;
        }
        return true;
    }

    /// <summary>An exponential cone's operator as its 3 × 3 blocks (B, c, 3, 3) (I − M's for its complement); null for other operators.</summary>
    internal static (bool Diagonal, Tensor Values)? Triples(IConeOperator block) => block switch
    {
        TripleBlockOperator triples => (false, triples.Blocks),
        ComplementOperator { Inner: TripleBlockOperator triples } => (false, eye(3, dtype: triples.Blocks.dtype, device: triples.Blocks.device) - triples.Blocks),
        _ => null,
    };

    /// <summary>
    /// One cone's operator as its diagonals (B, r) when it is diagonal (DΠ of the orthant, or I minus it), else as its
    /// dense matrices (B, r, r).
    /// </summary>
    internal static (bool Diagonal, Tensor Values) Of(IConeOperator block) => block switch
    {
        DiagonalOperator diag => (true, diag.Diagonal),
        ComplementOperator { Inner: DiagonalOperator inner } => (true, inner.Diagonal.SubtractedFrom(1L)),
        SecondOrderOperator secondOrder when secondOrder.Direction.device_type == TorchSharp.DeviceType.CPU => (false, SecondOrderDense(secondOrder)),
        var other => (false, other.Dense()),
    };

    /// <summary>
    /// A second-order cone's D = [a, bŵᵀ; bŵ, cI + eŵŵᵀ] as dense (B, r, r) matrices assembled on the host (a handful of
    /// tensor operations per cone instead, on small tensors, cost more than the arithmetic).
    /// </summary>
    private static Tensor SecondOrderDense(SecondOrderOperator block)
    {
        var (ta, tb, tc, te) = block.Coefficients;
        var (a, b, c, e) = (TensorCopy.ToDoubles(ta), TensorCopy.ToDoubles(tb), TensorCopy.ToDoubles(tc), TensorCopy.ToDoubles(te));
        var w = TensorCopy.ToDoubles(block.Direction);
        int batch = a.Length, r = block.Rows, k = r - 1;
        var dense = new double[batch * r * r];
        for (int item = 0; item < batch; item++)
        {
            var d = dense.AsSpan(item * r * r, r * r);
            var u = w.AsSpan(item * k, k);
            d[0] = a[item];
            for (int p = 0; p < k; p++)
            {
                d[p + 1] = d[(p + 1) * r] = b[item] * u[p];
                for (int q = 0; q < k; q++) d[(p + 1) * r + q + 1] = (p == q ? c[item] : 0) + e[item] * u[p] * u[q];
            }
        }
        return tensor(dense, [batch, r, r], dtype: ScalarType.Float64).to(block.Direction.dtype);
    }

    /// <summary>m.</summary>
    public int Rows { get; }

    /// <summary>Each block's first row.</summary>
    public int[] Starts { get; }

    /// <summary>Each block's order.</summary>
    public int[] Sizes { get; }

    /// <summary>
    /// Whether each block is a second-order cone's, a PSD cone's or an exponential triple's: the blocks the active-set
    /// path reduces in their eigenbasis (<see cref="DerivativeEigenbasis"/>).
    /// </summary>
    public bool[] Rotatable { get; }

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
