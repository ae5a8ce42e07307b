using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>I − M for a symmetric operator M: DΠ_K*(v) = I − DΠ_K(−v), from Moreau's decomposition.</summary>
internal sealed class ComplementOperator(IConeOperator inner) : IConeOperator
{
    /// <summary>M, the operator subtracted from the identity.</summary>
    public IConeOperator Inner { get; } = inner;

    /// <inheritdoc />
    public int Rows => Inner.Rows;

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        return d - Inner.Apply(d);
    }

    /// <inheritdoc />
    public Tensor Dense()
    {
        var m = Inner.Dense();
        return eye(Rows, dtype: m.dtype, device: m.device) - m;
    }
}
