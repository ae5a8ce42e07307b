namespace DiffOpt.Modeling;

/// <summary><c>Minimum(a, b, …)</c> elementwise (scalars broadcast); concave and increasing in each argument.</summary>
public sealed class MinimumAtom : Atom
{
    internal MinimumAtom(Expression[] args) : base(args) => Shape = ExtremumShape.Of("Minimum", args);

    /// <inheritdoc />
    public override string Name => "Minimum";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args.Any(a => a.Sign.IsNonpositive()) ? Sign.Nonpositive
        : Args.All(a => a.Sign.IsNonnegative()) ? Sign.Nonnegative : Sign.Unknown;

    internal override bool IsAtomConvex => false;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => true;

    internal override bool IsDecreasing(int i) => false;

    /// <summary>t with t ≤ each argument.</summary>
    internal static LinearForm Canonicalize(MinimumAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        foreach (var a in x) context.LessEqual(t, a);
        return t;
    }
}
