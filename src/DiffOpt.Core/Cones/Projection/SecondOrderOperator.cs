using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The derivative of the second-order cone projection at v = (t, u) in a structured form, per item:
/// D = [ a   b·ŵᵀ ;  b·ŵ   c·I + e·ŵŵᵀ ] with ŵ = u/‖u‖ (CONES.md; Parikh and Boyd, "Proximal algorithms", §6.3.2).
/// Inside the cone a = c = 1, b = e = 0 (D = I); in the polar cone all four are 0; otherwise a = b = ½,
/// c = ½(1 + t/‖u‖), e = −½·t/‖u‖. Symmetric, O(n) per item to apply.
/// </summary>
internal sealed class SecondOrderOperator(Tensor a, Tensor b, Tensor c, Tensor e, Tensor direction) : IConeOperator
{
    /// <summary>ŵ (B, n − 1), the unit direction of u (any unit vector, or zero, where b = e = 0).</summary>
    public Tensor Direction { get; } = direction;

    /// <summary>The coefficients a, b, c, e, each (B).</summary>
    public (Tensor A, Tensor B, Tensor C, Tensor E) Coefficients => (a, b, c, e);

    /// <inheritdoc />
    public int Rows => (int)Direction.shape[1] + 1;

    /// <inheritdoc />
    public Tensor Apply(Tensor d)
    {
        ConeArguments.CheckBatch(d, Rows, nameof(d), this);
        var dt = d.narrow(1, 0, 1);
        var du = d.narrow(1, 1, Rows - 1);
        var along = (Direction * du).sum(1, keepdim: true);
        var outT = (a.unsqueeze(1) * dt).Plus(b.unsqueeze(1) * along);
        var outU = ((b.unsqueeze(1) * dt).Plus(e.unsqueeze(1) * along) * Direction).Plus(c.unsqueeze(1) * du);
        return cat([outT, outU], 1);
    }

    /// <inheritdoc />
    public Tensor Dense()
    {
        long batch = Direction.shape[0];
        var dense = zeros(batch, Rows, Rows, dtype: Direction.dtype, device: Direction.device);
        var corner = b.view(-1, 1) * Direction;
        dense.select(1, 0).select(1, 0).copy_(a);
        dense.select(1, 0).narrow(1, 1, Rows - 1).copy_(corner);
        dense.select(2, 0).narrow(1, 1, Rows - 1).copy_(corner);
        var identity = eye(Rows - 1, dtype: Direction.dtype, device: Direction.device);
        var lower = (c.view(-1, 1, 1) * identity).Plus(e.view(-1, 1, 1) * Direction.unsqueeze(2) * Direction.unsqueeze(1));
        dense.narrow(1, 1, Rows - 1).narrow(2, 1, Rows - 1).copy_(lower);
        return dense;
    }
}
