namespace DiffOpt.Modeling;

/// <summary><c>Neg(x)</c> = max(−x, 0) elementwise; convex, nonnegative, decreasing.</summary>
public sealed class NegAtom : FunctionAtom
{
    internal NegAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Decreasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Neg";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(NegAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>max(−x, 0) ≤ t: t ≥ −x and t ≥ 0.</summary>
    internal static void Bound(NegAtom atom, LinearForm[] x, LinearForm t, CanonContext context)
    {
        context.LessEqual(x[0].Scale(-1), t);
        context.Nonnegative(t);
    }
}
