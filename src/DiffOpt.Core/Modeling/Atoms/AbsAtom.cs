namespace DiffOpt.Modeling;

/// <summary><c>Abs(x)</c> elementwise; convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0.</summary>
public sealed class AbsAtom : FunctionAtom
{
    internal AbsAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Abs";

    /// <summary>t with t ≥ x and t ≥ −x.</summary>
    internal static LinearForm Canonicalize(AbsAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.AbsoluteBound(x[0], t);
        return t;
    }
}
