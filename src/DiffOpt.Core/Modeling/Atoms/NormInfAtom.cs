namespace DiffOpt.Modeling;

/// <summary><c>NormInf(x)</c> = max |x_i|; convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0.</summary>
public sealed class NormInfAtom : FunctionAtom
{
    internal NormInfAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "NormInf";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(NormInfAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(Shape.Scalar, t => Bound(atom, x, t, context));

    /// <summary>max |x_i| ≤ t: t ≥ x_i and t ≥ −x_i.</summary>
    internal static void Bound(NormInfAtom atom, LinearForm[] x, LinearForm t, CanonContext context) => context.AbsoluteBound(x[0], t);
}
