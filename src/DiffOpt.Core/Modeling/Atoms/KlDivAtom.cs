namespace DiffOpt.Modeling;

/// <summary><c>KlDiv(x, y)</c> = x·log(x/y) − x + y elementwise (x, y &gt; 0); convex, nonnegative, not monotone.</summary>
public sealed class KlDivAtom : ElementwiseAtom
{
    internal KlDivAtom(Expression x, Expression y) : base(x, y) =>
        Require(x.Shape == y.Shape, $"KlDiv('{x}', '{y}'): shapes {x.Shape} and {y.Shape} differ.", nameof(y));

    /// <inheritdoc />
    public override string Name => "KlDiv";

    /// <inheritdoc />
    public override Sign Sign => Sign.Nonnegative;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => false;

    internal override bool IsIncreasing(int i) => false;

    internal override bool IsDecreasing(int i) => false;

    /// <summary>r − x + y with (−r, x, y) ∈ K_exp, i.e. x·e^{−r/x} ≤ y ⇔ r ≥ x log(x/y).</summary>
    internal static LinearForm Canonicalize(KlDivAtom atom, LinearForm[] x, CanonContext context)
    {
        var r = context.NewVariable(atom.Shape);
        context.Exponential(r.Scale(-1), x[0], x[1]);
        return LinearForm.Add(LinearForm.Add(r, x[0], -1), x[1]);
    }

    /// <summary>x log(x/y) − x + y ≤ t: the form above with r = t + x − y, (y − x − t, x, y) ∈ K_exp.</summary>
    internal static void Bound(KlDivAtom atom, LinearForm[] x, LinearForm t, CanonContext context) =>
        context.Exponential(LinearForm.Add(LinearForm.Add(x[1], x[0], -1), t, -1), x[0], x[1]);
}
