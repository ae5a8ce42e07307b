namespace DiffOpt.Cones;

/// <summary>
/// A product of <see cref="Count"/> exponential cones, each covering three consecutive rows (x, y, z) with
/// K_exp = cl{(x, y, z) : y·e^{x/y} ≤ z, y &gt; 0} = {y e^{x/y} ≤ z, y &gt; 0} ∪ {x ≤ 0, y = 0, z ≥ 0}.
/// Its dual is K_exp* = cl{(u, v, w) : u &lt; 0, −u·e^{v/u} ≤ e·w}.
/// </summary>
/// <param name="Count">The number of cones (positive); the product covers 3·Count rows.</param>
public sealed record ExponentialCone(int Count) : Cone
{
    /// <summary>The number of exponential cones (triples of rows).</summary>
    public int Count { get; } = Positive(Count, nameof(Count));

    /// <inheritdoc />
    public override int Rows => checked(3 * Count);
}
