namespace DiffOpt.Modeling;

/// <summary><c>Abs(x)</c> elementwise; convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0.</summary>
public sealed class AbsAtom : FunctionAtom
{
    internal AbsAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Abs";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(AbsAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>|x| ≤ t: t ≥ x and t ≥ −x.</summary>
    internal static void Bound(AbsAtom atom, LinearForm[] x, LinearForm t, CanonContext context) => context.AbsoluteBound(x[0], t);
}
