using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A batch of linear maps ℝʳ → ℝʳ given matrix-free, one per item (r = <see cref="Rows"/>), such as the derivative
/// DΠ_K(v) of a cone projection (diffcp's <c>LinearOperator</c> in <c>cones.h</c>). Every operator in this folder is
/// symmetric, so <see cref="Apply"/> is also the transpose's action (what a reverse-mode pass needs). Its tensors live
/// in the dispose scope that was current when it was created.
/// </summary>
internal interface IConeOperator
{
    /// <summary>r, the number of rows (and columns) of each item's matrix.</summary>
    int Rows { get; }

    /// <summary>
    /// The operator applied to a batch of directions d (B, r), item by item: returns (B, r). Throws an
    /// <see cref="ArgumentException"/> naming d unless it is a float32/float64 tensor with r columns.
    /// </summary>
    Tensor Apply(Tensor d);

    /// <summary>The matrices themselves, (B, r, r); for tests and small problems (it costs r² per item).</summary>
    Tensor Dense();
}
