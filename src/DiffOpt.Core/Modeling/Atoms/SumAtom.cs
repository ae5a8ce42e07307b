namespace DiffOpt.Modeling;

/// <summary><c>Sum(x)</c>: the sum of all entries, a scalar; affine and increasing.</summary>
public sealed class SumAtom : AffineAtom
{
    internal SumAtom(Expression x) : base(x) { }

    /// <inheritdoc />
    public override string Name => "Sum";

    /// <inheritdoc />
    public override Shape Shape => Shape.Scalar;

    /// <summary>The sum of the form's entries.</summary>
    internal static LinearForm Canonicalize(SumAtom atom, LinearForm[] x, CanonContext context) => x[0].Sum();
}
