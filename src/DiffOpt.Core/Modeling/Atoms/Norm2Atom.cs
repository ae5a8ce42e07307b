namespace DiffOpt.Modeling;

/// <summary><c>Norm2(x)</c>: the Euclidean norm of all entries (Frobenius for a matrix); convex, nonnegative, increasing for x ≥ 0.</summary>
public sealed class Norm2Atom : FunctionAtom
{
    internal Norm2Atom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "Norm2";

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(Norm2Atom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(Shape.Scalar, t => Bound(atom, x, t, context));

    /// <summary>‖x‖₂ ≤ t: (t, x) in the second-order cone.</summary>
    internal static void Bound(Norm2Atom atom, LinearForm[] x, LinearForm t, CanonContext context) => context.SecondOrder(t, x[0]);
}
