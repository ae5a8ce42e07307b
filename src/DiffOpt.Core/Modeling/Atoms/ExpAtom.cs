namespace DiffOpt.Modeling;

/// <summary><c>Exp(x)</c> elementwise; convex, positive, increasing.</summary>
public sealed class ExpAtom : FunctionAtom
{
    internal ExpAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Exp";

    /// <summary>t with (x, 1, t) ∈ K_exp, i.e. e^x ≤ t.</summary>
    internal static LinearForm Canonicalize(ExpAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.Exponential(x[0], LinearForm.Scalar(1), t);
        return t;
    }
}
