namespace DiffOpt.Modeling;

/// <summary><c>Exp(x)</c> elementwise; convex, positive, increasing.</summary>
public sealed class ExpAtom : FunctionAtom
{
    internal ExpAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Exp";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(ExpAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>e^x ≤ t: (x, 1, t) ∈ K_exp.</summary>
    internal static void Bound(ExpAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.Exponential(x[0], LinearForm.Scalar(1), t);
}
