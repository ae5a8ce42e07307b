namespace DiffOpt.Modeling;

/// <summary><c>Neg(x)</c> = max(−x, 0) elementwise; convex, nonnegative, decreasing.</summary>
public sealed class NegAtom : FunctionAtom
{
    internal NegAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Decreasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Neg";

    /// <summary>t with t ≥ −x and t ≥ 0.</summary>
    internal static LinearForm Canonicalize(NegAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.LessEqual(x[0].Scale(-1), t);
        context.Nonnegative(t);
        return t;
    }
}
