namespace DiffOpt.Modeling;

/// <summary>
/// <c>QuadOverLin(x, y)</c> = Σ x_i² / y for a scalar y &gt; 0; convex, nonnegative, increasing in x for x ≥ 0
/// (decreasing for x ≤ 0) and decreasing in y.
/// </summary>
public sealed class QuadOverLinAtom : Atom
{
    internal QuadOverLinAtom(Expression x, Expression y) : base(x, y) =>
        Require(y.Shape.Size == 1, $"QuadOverLin('{x}', '{y}'): y must be a scalar; got {y.Shape}.", nameof(y));

    /// <inheritdoc />
    public override string Name => "QuadOverLin";

    /// <inheritdoc />
    public override Shape Shape => Shape.Scalar;

    /// <inheritdoc />
    public override Sign Sign => Sign.Nonnegative;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => false;

    internal override bool IsIncreasing(int i) => i == 0 && Args[0].Sign.IsNonnegative();

    internal override bool IsDecreasing(int i) => i == 1 || Args[0].Sign.IsNonpositive();

    /// <summary>An epigraph variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(QuadOverLinAtom atom, LinearForm[] x, CanonContext context) =>
        context.QuadOverLinEpigraph(x[0], x[1]);

    /// <summary>‖x‖²/y ≤ t: (y + t, y − t, 2x) in the second-order cone.</summary>
    internal static void Bound(QuadOverLinAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.QuadOverLinBound(x[0], x[1], t);
}
