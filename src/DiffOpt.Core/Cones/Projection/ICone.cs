using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of one cone K (a block of <see cref="Rows"/> rows), batched over tensors of shape (B, Rows) of
/// float32 or float64 on any device; the result has the argument's dtype and device. Modelled on Clarabel's
/// <c>cones/*.rs</c> (one type per cone) and diffcp's projections. Arguments are checked by
/// <see cref="ConeArguments.CheckBatch"/>.
/// </summary>
internal interface ICone
{
    /// <summary>The number of rows the cone covers.</summary>
    int Rows { get; }

    /// <summary>Π_K(v), the Euclidean projection of each item of v (B, Rows) onto K.</summary>
    Tensor Project(Tensor v);

    /// <summary>
    /// Π_K*(v), the projection onto the dual cone. By default from Moreau's decomposition v = Π_K(v) − Π_K*(−v):
    /// Π_K*(v) = v + Π_K(−v); self-dual cones override it with <see cref="Project"/>.
    /// </summary>
    Tensor ProjectDual(Tensor v) => v.Plus(Project(-v));

    /// <summary>DΠ_K(v), the derivative of the projection at each item of v, as a symmetric operator with 0 ⪯ D ⪯ I.</summary>
    IConeOperator ProjectDerivative(Tensor v);

    /// <summary>DΠ_K*(v) = I − DΠ_K(−v) (differentiating Moreau's decomposition).</summary>
    IConeOperator ProjectDualDerivative(Tensor v) => new ComplementOperator(ProjectDerivative(-v));

    /// <summary>
    /// Whether each item of s (B, Rows) lies in K up to an absolute slack <paramref name="tolerance"/> ≥ 0 in the
    /// cone's defining inequalities (each implementation says which); returns (B,) bool.
    /// </summary>
    Tensor Contains(Tensor s, double tolerance);

    /// <summary>Whether each item of y (B, Rows) lies in the dual cone K* up to <paramref name="tolerance"/>: (B,) bool.</summary>
    Tensor ContainsDual(Tensor y, double tolerance);

    /// <summary>
    /// For s (B, Rows) in the interior of K and a direction ds (B, Rows): the largest α ≥ 0 with s + α·ds ∈ K, per
    /// item, (B,) of s's dtype. +∞ when the whole ray stays in K (ds is a recession direction of K); 0 when s is not
    /// in K.
    /// </summary>
    Tensor StepToBoundary(Tensor s, Tensor ds);
}
