namespace DiffOpt.Modeling;

/// <summary><c>Pos(x)</c> = max(x, 0) elementwise; convex, nonnegative, increasing.</summary>
public sealed class PosAtom : FunctionAtom
{
    internal PosAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Pos";

    /// <summary>t with t ≥ x and t ≥ 0.</summary>
    internal static LinearForm Canonicalize(PosAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.LessEqual(x[0], t);
        context.Nonnegative(t);
        return t;
    }
}
