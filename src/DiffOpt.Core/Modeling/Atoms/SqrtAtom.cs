namespace DiffOpt.Modeling;

/// <summary><c>Sqrt(x)</c> elementwise (x ≥ 0); concave, nonnegative, increasing.</summary>
public sealed class SqrtAtom : FunctionAtom
{
    internal SqrtAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Sqrt";

    /// <summary>A hypograph variable u with u² ≤ x (<see cref="Bound"/>): −√x ≤ u ≤ √x, whose largest value is √x.</summary>
    internal static LinearForm Canonicalize(SqrtAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>
    /// t_i² ≤ x_i as (x_i + 1, x_i − 1, 2t_i) in three-dimensional second-order cones ((x + 1)² − (x − 1)² = 4x). It is
    /// √x ≥ t only for t ≥ 0 (<see cref="BoundHolds"/>): for t &lt; 0, √x ≥ t holds for every x ≥ 0 but t² ≤ x does not.
    /// </summary>
    internal static void Bound(SqrtAtom atom, LinearForm[] x, LinearForm t, CanonContext context)
    {
        var one = LinearForm.Scalar(1);
        context.SecondOrderElementwise(LinearForm.Add(x[0], one), LinearForm.Add(x[0], one, -1), t.Scale(2));
    }

    /// <summary><see cref="Bound"/> is √x ≥ t when t's sign is known nonnegative.</summary>
    internal static bool BoundHolds(Sign t) => t.IsNonnegative();
}
