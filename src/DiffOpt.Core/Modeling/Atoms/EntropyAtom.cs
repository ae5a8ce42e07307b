namespace DiffOpt.Modeling;

/// <summary><c>Entropy(x)</c> = −x·log x elementwise (x ≥ 0; cvxpy's <c>entr</c>); concave, not monotone.</summary>
public sealed class EntropyAtom : FunctionAtom
{
    internal EntropyAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.None, Sign.Unknown, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Entropy";

    /// <summary>t with (t, x, 1) ∈ K_exp, i.e. x·e^{t/x} ≤ 1 ⇔ t ≤ −x log x.</summary>
    internal static LinearForm Canonicalize(EntropyAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        context.Exponential(t, x[0], LinearForm.Scalar(1));
        return t;
    }
}
