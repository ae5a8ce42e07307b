using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>A batch of diagonal matrices diag(w), w (B, r): the derivative of the zero and nonnegative cones' projections.</summary>
internal sealed class DiagonalOperator(Tensor diagonal) : IConeOperator
{
    /// <summary>w (B, r), the diagonals.</summary>
    public Tensor Diagonal { get; } = diagonal;

    /// <inheritdoc />
    public int Rows => (int)Diagonal.shape[1];

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        return Diagonal * d;
    }

    /// <inheritdoc />
    public Tensor Dense() => diag_embed(Diagonal);
}
