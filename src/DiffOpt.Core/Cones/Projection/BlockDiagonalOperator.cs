using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The block-diagonal operator diag(M₁, …, M_c) of a product cone: block i acts on the rows
/// [offsetᵢ, offsetᵢ + rowsᵢ) given by <see cref="CompositeCone"/>, in order and without gaps.
/// </summary>
internal sealed class BlockDiagonalOperator(IReadOnlyList<IConeOperator> blocks) : IConeOperator
{
    /// <summary>The diagonal blocks, in row order.</summary>
    public IReadOnlyList<IConeOperator> Blocks { get; } = blocks;

    /// <inheritdoc />
    public int Rows { get; } = blocks.Sum(b => b.Rows);

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        if (Blocks.Count == 0) return d.clone();
        var parts = new Tensor[Blocks.Count];
        long offset = 0;
        for (int i = 0; i < Blocks.Count; i++)
        {
            parts[i] = Blocks[i].Apply(d.narrow(1, offset, Blocks[i].Rows));
            offset += Blocks[i].Rows;
        }
        return cat(parts, 1);
    }

    /// <inheritdoc />
    public Tensor Dense()
    {
        if (Blocks.Count == 0) throw new InvalidOperationException("An operator with no blocks has no batch size.");
        var first = Blocks[0].Dense();
        var dense = zeros(first.shape[0], Rows, Rows, dtype: first.dtype, device: first.device);
        long offset = 0;
        foreach (var block in Blocks)
        {
            dense.narrow(1, offset, block.Rows).narrow(2, offset, block.Rows).copy_(offset == 0 ? first : block.Dense());
            offset += block.Rows;
        }
        return dense;
    }
}
