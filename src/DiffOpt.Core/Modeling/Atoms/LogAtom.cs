namespace DiffOpt.Modeling;

/// <summary><c>Log(x)</c> elementwise (x &gt; 0); concave, increasing.</summary>
public sealed class LogAtom : FunctionAtom
{
    internal LogAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.Increasing, Sign.Unknown, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Log";

    /// <summary>t with (t, 1, x) ∈ K_exp, i.e. t ≤ log x.</summary>
    internal static LinearForm Canonicalize(LogAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.Exponential(t, LinearForm.Scalar(1), x[0]);
        return t;
    }
}
