namespace DiffOpt.Modeling;

/// <summary>
/// <c>Power(x, p)</c> elementwise for p ∈ {1, 2^k (k ≥ 1), 2^−k (k ≥ 1), −1}: convex for p &gt; 1 (increasing for
/// x ≥ 0, decreasing for x ≤ 0) and for p = −1 (x &gt; 0, decreasing), concave and increasing for 0 &lt; p &lt; 1
/// (x ≥ 0), affine for p = 1. Other rational p (cvxpy's general power-cone chains) are not supported yet.
/// </summary>
public sealed class PowerAtom : ElementwiseAtom
{
    internal PowerAtom(Expression x, double p) : base(x)
    {
        if (!(p == 1 || p == -1 || TwoExponent(p) is not null))
            throw new NotSupportedException($"Power('{x}', {p}): only p = 1, -1, 2^k and 2^-k (k ≥ 1) are supported.");
        P = p;
    }

    /// <summary>The exponent.</summary>
    public double P { get; }

    /// <inheritdoc />
    public override string Name => "Power";

    /// <inheritdoc />
    public override Sign Sign => P == 1 ? Args[0].Sign : Sign.Nonnegative;

    internal override bool IsAtomConvex => P >= 1 || P < 0;

    internal override bool IsAtomConcave => P <= 1 && P > 0;

    internal override bool IsIncreasing(int i) => P > 0 && P <= 1 || (P > 1 && Args[0].Sign.IsNonnegative());

    internal override bool IsDecreasing(int i) => P < 0 || (P > 1 && Args[0].Sign.IsNonpositive());

    /// <summary>Prints "Power(x, p)".</summary>
    public override string ToString() => $"Power({Args[0]}, {P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>k with p = 2^k for an integer k ≠ 0, or null.</summary>
    private static int? TwoExponent(double p)
    {
        if (!(p > 0) || p == 1) return null;
        double k = Math.Log2(p);
        return Math.Abs(k - Math.Round(k)) < 1e-12 && Math.Abs(k) <= 30 ? (int)Math.Round(k) : null;
    }

    /// <summary>
    /// p = 2^k: k nested squares t_j ≥ t_{j−1}² (each a 3-dimensional second-order cone); p = 2^−k: k nested square
    /// roots; p = −1: t with x·t ≥ 1 as (x + t, x − t, 2) in the second-order cone.
    /// </summary>
    internal static LinearForm Canonicalize(PowerAtom atom, LinearForm[] x, CanonContext context)
    {
        if (atom.P == 1) return x[0];
        var one = LinearForm.Scalar(1);
        if (atom.P == -1)
        {
            var t = context.NewVariable(atom.Shape);
            context.SecondOrderElementwise(LinearForm.Add(x[0], t), LinearForm.Add(x[0], t, -1), LinearForm.Scalar(2));
            return t;
        }
        int k = TwoExponent(atom.P)!.Value;
        var current = x[0];
        for (int j = 0; j < Math.Abs(k); j++)
        {
            if (k < 0)
            {
                current = SqrtAtom.Hypograph(current, context);
                continue;
            }
            var t = context.NewVariable(atom.Shape);
            context.SecondOrderElementwise(LinearForm.Add(one, t), LinearForm.Add(one, t, -1), current.Scale(2));
            current = t;
        }
        return current;
    }
}
