namespace DiffOpt.Modeling;

/// <summary><c>Pos(x)</c> = max(x, 0) elementwise; convex, nonnegative, increasing.</summary>
public sealed class PosAtom : FunctionAtom
{
    internal PosAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Pos";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(PosAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>max(x, 0) ≤ t: t ≥ x and t ≥ 0.</summary>
    internal static void Bound(PosAtom atom, LinearForm[] x, LinearForm t, CanonContext context)
    {
        context.LessEqual(x[0], t);
        context.Nonnegative(t);
    }
}
