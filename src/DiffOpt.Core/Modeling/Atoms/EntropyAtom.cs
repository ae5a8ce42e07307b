namespace DiffOpt.Modeling;

/// <summary><c>Entropy(x)</c> = −x·log x elementwise (x ≥ 0; cvxpy's <c>entr</c>); concave, not monotone.</summary>
public sealed class EntropyAtom : FunctionAtom
{
    internal EntropyAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.None, Sign.Unknown, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Entropy";

    /// <summary>A hypograph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(EntropyAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>−x log x ≥ t: (t, x, 1) ∈ K_exp, i.e. x·e^{t/x} ≤ 1.</summary>
    internal static void Bound(EntropyAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.Exponential(t, x[0], LinearForm.Scalar(1));
}
