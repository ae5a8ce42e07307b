namespace DiffOpt.Cones;

/// <summary>
/// The zero cone {0} ⊂ ℝⁿ: its rows are equality constraints Ax = b (s = 0). Its dual cone is all of ℝⁿ.
/// </summary>
/// <param name="Dimension">n, the number of rows (positive).</param>
public sealed record ZeroCone(int Dimension) : Cone
{
    /// <summary>n, the number of rows.</summary>
    public int Dimension { get; } = Positive(Dimension, nameof(Dimension));

    /// <inheritdoc />
    public override int Rows => Dimension;
}
