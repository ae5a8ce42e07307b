namespace DiffOpt.Modeling;

/// <summary>
/// <c>Power(x, p)</c> elementwise for a rational p = a/b (b ≤ 1024): convex for p &gt; 1 (increasing for x ≥ 0,
/// decreasing for x ≤ 0; |x|^p) and for p &lt; 0 (x &gt; 0, decreasing), concave and increasing for 0 &lt; p &lt; 1
/// (x ≥ 0), affine for p = 1, the constant 1 for p = 0 (cvxpy's <c>power</c>).
/// </summary>
public sealed class PowerAtom : ElementwiseAtom
{
    private readonly (int Num, int Den) _rational;

    internal PowerAtom(Expression x, double p) : base(x)
    {
        _rational = GeometricMean.Rational(p)
            ?? throw new NotSupportedException($"Power('{x}', {p}): p must be a rational a/b with b ≤ 1024.");
        P = p;
    }

    /// <summary>The exponent.</summary>
    public double P { get; }

    /// <inheritdoc />
    public override string Name => "Power";

    /// <inheritdoc />
    public override Sign Sign => P == 1 ? Args[0].Sign : Sign.Nonnegative;

    internal override bool IsAtomConvex => P >= 1 || P <= 0;

    internal override bool IsAtomConcave => P is >= 0 and <= 1;

    internal override bool IsIncreasing(int i) => P > 0 && P <= 1 || (P > 1 && Args[0].Sign.IsNonnegative());

    internal override bool IsDecreasing(int i) => P < 0 || (P > 1 && Args[0].Sign.IsNonpositive());

    /// <summary>Prints "Power(x, p)".</summary>
    public override string ToString() => $"Power({Args[0]}, {P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>
    /// Through <see cref="GeometricMean"/> with p = a/b: p &gt; 1: s ≥ |x|, s ≤ t^{b/a}·1^{(a−b)/a};
    /// 0 &lt; p &lt; 1: t ≤ x^{a/b}·1^{(b−a)/b}; p &lt; 0: 1 ≤ x^{−a/(b−a)}·t^{b/(b−a)}.
    /// </summary>
    internal static LinearForm Canonicalize(PowerAtom atom, LinearForm[] x, CanonContext context)
    {
        var (a, b) = atom._rational;
        var one = LinearForm.Scalar(1).Broadcast(atom.Shape);
        if (a == b) return x[0];
        if (a == 0) return one;
        var t = context.NewVariable(atom.Shape);
        if (a > b)
        {
            var s = context.NewVariable(atom.Shape);
            context.AbsoluteBound(x[0], s);
            GeometricMean.Constrain(context, s, [(t, b), (one, a - b)]);
        }
        else if (a > 0) GeometricMean.Constrain(context, t, [(x[0], a), (one, b - a)]);
        else GeometricMean.Constrain(context, one, [(x[0], -a), (t, b)]);
        return t;
    }
}
