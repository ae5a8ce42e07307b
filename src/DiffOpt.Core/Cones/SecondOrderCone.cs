namespace DiffOpt.Cones;

/// <summary>
/// The second-order (Lorentz) cone Q = {(t, u) ∈ ℝ × ℝⁿ⁻¹ : ‖u‖₂ ≤ t}; the first of its n rows is t. Self-dual.
/// With n = 1 it is the half-line t ≥ 0.
/// </summary>
/// <param name="Dimension">n, the number of rows including t (positive).</param>
public sealed record SecondOrderCone(int Dimension) : Cone
{
    /// <summary>n, the number of rows including t.</summary>
    public int Dimension { get; } = Positive(Dimension, nameof(Dimension));

    /// <inheritdoc />
    public override int Rows => Dimension;
}
