using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>A batch of block-diagonal matrices with 3 × 3 blocks M (B, c, 3, 3): the derivative of a product of c exponential cones.</summary>
internal sealed class TripleBlockOperator(Tensor blocks) : IConeOperator
{
    /// <summary>M (B, c, 3, 3), the diagonal blocks of each item.</summary>
    public Tensor Blocks { get; } = blocks;

    /// <inheritdoc />
    public int Rows => 3 * (int)Blocks.shape[1];

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        return Blocks.matmul(d.reshape(Blocks.shape[0], Blocks.shape[1], 3, 1)).reshape(Blocks.shape[0], Rows);
    }

    /// <inheritdoc />
    public Tensor Dense()
    {
        var dense = zeros(Blocks.shape[0], Rows, Rows, dtype: Blocks.dtype, device: Blocks.device);
        for (int c = 0; c < Blocks.shape[1]; c++)
            dense.narrow(1, 3 * c, 3).narrow(2, 3 * c, 3).copy_(Blocks.select(1, c));
        return dense;
    }
}
