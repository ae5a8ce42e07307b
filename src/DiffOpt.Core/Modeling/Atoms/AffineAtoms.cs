namespace DiffOpt.Modeling;

/// <summary>An atom that is affine in all its arguments and increasing in each (sums, slices, reshapes, …).</summary>
public abstract class AffineAtom : Atom
{
    /// <summary>An affine atom of the given arguments.</summary>
    private protected AffineAtom(params Expression[] args) : base(args) { }

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => true;

    internal override bool IsDecreasing(int i) => false;

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign;
}

/// <summary>An atom applied entry by entry: its shape is its first argument's.</summary>
public abstract class ElementwiseAtom : Atom
{
    /// <summary>An elementwise atom of the given arguments.</summary>
    private protected ElementwiseAtom(params Expression[] args) : base(args) { }

    /// <inheritdoc />
    public override Shape Shape => Args[0].Shape;
}
