namespace DiffOpt.Modeling;

/// <summary><c>Log(x)</c> elementwise (x &gt; 0); concave, increasing.</summary>
public sealed class LogAtom : FunctionAtom
{
    internal LogAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.Increasing, Sign.Unknown, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Log";

    /// <summary>A hypograph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(LogAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>log x ≥ t: (t, 1, x) ∈ K_exp.</summary>
    internal static void Bound(LogAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.Exponential(t, LinearForm.Scalar(1), x[0]);
}
