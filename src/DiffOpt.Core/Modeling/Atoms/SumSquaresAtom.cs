namespace DiffOpt.Modeling;

/// <summary>
/// <c>SumSquares(x)</c> = Σ x_i²; convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0. In a minimised
/// objective (with a positive weight) it stays quadratic: a P block on u = x (see <see cref="ObjectiveCanonicalizer"/>).
/// </summary>
public sealed class SumSquaresAtom : FunctionAtom
{
    internal SumSquaresAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "SumSquares";

    /// <summary>Elsewhere: an epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(SumSquaresAtom atom, LinearForm[] x, CanonContext context) =>
        context.QuadOverLinEpigraph(x[0], LinearForm.Scalar(1));

    /// <summary>‖x‖² ≤ t as ‖x‖²/1 ≤ t, one second-order cone.</summary>
    internal static void Bound(SumSquaresAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.QuadOverLinBound(x[0], LinearForm.Scalar(1), t);
}
