namespace DiffOpt.Modeling;

/// <summary>−a; affine and decreasing.</summary>
public sealed class NegateAtom : Atom
{
    internal NegateAtom(Expression a) : base(a) { }

    /// <inheritdoc />
    public override string Name => "Negate";

    /// <inheritdoc />
    public override Shape Shape => Args[0].Shape;

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.Negate();

    internal override int Precedence => 80;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => false;

    internal override bool IsDecreasing(int i) => true;

    /// <summary>Prints "-a".</summary>
    public override string ToString() => "-" + Args[0].Wrapped(81);

    /// <summary>−x.</summary>
    internal static LinearForm Canonicalize(NegateAtom atom, LinearForm[] x, CanonContext context) => x[0].Scale(-1);
}
