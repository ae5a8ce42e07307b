namespace DiffOpt.Cones;

/// <summary>
/// The nonnegative orthant ℝⁿ₊ = {s : sᵢ ≥ 0}: its rows are inequality constraints Ax ≤ b. Self-dual.
/// </summary>
/// <param name="Dimension">n, the number of rows (positive).</param>
public sealed record NonnegativeCone(int Dimension) : Cone
{
    /// <summary>n, the number of rows.</summary>
    public int Dimension { get; } = Positive(Dimension, nameof(Dimension));

    /// <inheritdoc />
    public override int Rows => Dimension;
}
