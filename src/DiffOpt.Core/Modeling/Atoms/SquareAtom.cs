namespace DiffOpt.Modeling;

/// <summary><c>Square(x)</c> = x² elementwise; convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0 (quadratic in an objective's Sum).</summary>
public sealed class SquareAtom : FunctionAtom
{
    internal SquareAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Square";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(SquareAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>x_i² ≤ t_i as (1 + t_i, 1 − t_i, 2x_i) in three-dimensional second-order cones ((1 + t)² − (1 − t)² = 4t).</summary>
    internal static void Bound(SquareAtom atom, LinearForm[] x, LinearForm t, CanonContext context)
    {
        var one = LinearForm.Scalar(1);
        context.SecondOrderElementwise(LinearForm.Add(one, t), LinearForm.Add(one, t, -1), x[0].Scale(2));
    }
}
