namespace DiffOpt.Modeling;

/// <summary>How a one-argument atom varies with its argument.</summary>
internal enum Monotonicity
{
    /// <summary>Nondecreasing.</summary>
    Increasing,

    /// <summary>Nonincreasing.</summary>
    Decreasing,

    /// <summary>Increasing where the argument is ≥ 0 and decreasing where it is ≤ 0 (|x|, x², norms).</summary>
    ByArgumentSign,

    /// <summary>Neither.</summary>
    None,
}

/// <summary>
/// A one-argument atom whose local facts (curvature, monotonicity, sign, and whether it applies entrywise or
/// returns a scalar) are declared in its constructor call; the atom's own file keeps its definition and its
/// canonicaliser.
/// </summary>
public abstract class FunctionAtom : Atom
{
    private readonly Curvature _curvature;
    private readonly Monotonicity _monotonicity;
    private readonly Sign _sign;

    /// <summary>An atom f(x) with the declared facts (<paramref name="curvature"/> Convex, Concave or Affine).</summary>
    private protected FunctionAtom(Expression x, Curvature curvature, Monotonicity monotonicity, Sign sign, bool elementwise) : base(x)
    {
        _curvature = curvature;
        _monotonicity = monotonicity;
        _sign = sign;
        Shape = elementwise ? x.Shape : Shape.Scalar;
    }

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => _sign;

    internal override bool IsAtomConvex => _curvature is Curvature.Convex or Curvature.Affine;

    internal override bool IsAtomConcave => _curvature is Curvature.Concave or Curvature.Affine;

    internal override bool IsIncreasing(int i) => _monotonicity == Monotonicity.Increasing
        || (_monotonicity == Monotonicity.ByArgumentSign && Args[0].Sign.IsNonnegative());

    internal override bool IsDecreasing(int i) => _monotonicity == Monotonicity.Decreasing
        || (_monotonicity == Monotonicity.ByArgumentSign && Args[0].Sign.IsNonpositive());
}
