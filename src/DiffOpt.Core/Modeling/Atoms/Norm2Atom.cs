namespace DiffOpt.Modeling;

/// <summary><c>Norm2(x)</c>: the Euclidean norm of all entries (Frobenius for a matrix); convex, nonnegative, increasing for x ≥ 0.</summary>
public sealed class Norm2Atom : FunctionAtom
{
    internal Norm2Atom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "Norm2";

    /// <summary>t with (t, x) in the second-order cone.</summary>
    internal static LinearForm Canonicalize(Norm2Atom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(Shape.Scalar);
        context.SecondOrder(t, x[0]);
        return t;
    }
}
