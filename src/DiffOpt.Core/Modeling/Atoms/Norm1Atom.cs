namespace DiffOpt.Modeling;

/// <summary><c>Norm1(x)</c> = Σ|x_i| (all entries); convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0.</summary>
public sealed class Norm1Atom : FunctionAtom
{
    internal Norm1Atom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "Norm1";

    /// <summary>Σ u with u ≥ x and u ≥ −x.</summary>
    internal static LinearForm Canonicalize(Norm1Atom atom, LinearForm[] x, CanonContext context)
    {
        var u = context.NewVariable(x[0].Shape);
        context.AbsoluteBound(x[0], u);
        return u.Sum();
    }
}
