namespace DiffOpt.Modeling;

/// <summary>
/// A bilinear atom (elementwise or matrix product). DCP: one factor must be constant, and the product then has the
/// other factor's curvature, flipped when the constant is nonpositive (unknown for a constant of unknown sign
/// unless the other factor is affine). DPP (MODELING.md): the constant factor must be parameter-affine and the
/// other parameter-free, so p·x is DPP and p·(q·x) is not.
/// </summary>
public abstract class ProductAtom : Atom
{
    /// <summary>A product of <paramref name="a"/> and <paramref name="b"/>.</summary>
    private protected ProductAtom(Expression a, Expression b) : base(a, b) { }

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.Multiply(Args[1].Sign);

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => Args[1 - i].Sign.IsNonnegative();

    internal override bool IsDecreasing(int i) => Args[1 - i].Sign.IsNonpositive();

    /// <summary>Whether argument <paramref name="i"/> may serve as the constant factor under <paramref name="mode"/>.</summary>
    private bool IsConstantFactor(int i, DisciplineMode mode)
    {
        var k = Args[i];
        if (mode == DisciplineMode.Dcp) return k.CurvatureIn(mode) == Curvature.Constant;
        return !k.HasVariables && k.CurvatureIn(mode).IsAffine() && (!k.HasParameters || !Args[1 - i].HasParameters);
    }

    internal override Curvature ComputeCurvature(DisciplineMode mode)
    {
        bool c0 = IsConstantFactor(0, mode), c1 = IsConstantFactor(1, mode);
        if (!c0 && !c1) return Curvature.Unknown;
        if (c0 && c1) return Args.Any(x => x.CurvatureIn(mode) == Curvature.Affine) ? Curvature.Affine : Curvature.Constant;
        int other = c0 ? 1 : 0;
        var c = Args[other].CurvatureIn(mode);
        if (c == Curvature.Constant) return Curvature.Constant;
        if (c.IsAffine()) return Curvature.Affine;
        var sign = Args[1 - other].Sign;
        return sign.IsNonnegative() ? c : sign.IsNonpositive() ? c.Negate() : Curvature.Unknown;
    }

    internal override string ExplainUnknown(DisciplineMode mode)
    {
        var (a, b) = (Args[0], Args[1]);
        if (a.HasVariables && b.HasVariables)
            return $"a product needs a constant factor, but '{a}' and '{b}' both contain variables";
        if (mode == DisciplineMode.Dpp)
        {
            if (a.HasParameters && b.HasParameters)
                return $"a product needs one parameter-free factor, but '{a}' and '{b}' both contain parameters (parameter × parameter is not DPP)";
            var k = a.HasVariables ? b : a;
            if (!k.CurvatureIn(mode).IsAffine()) return $"the factor '{k}' is not affine in the parameters";
        }
        var constant = IsConstantFactor(0, mode) ? a : b;
        var other = ReferenceEquals(constant, a) ? b : a;
        return $"the constant factor '{constant}' has unknown sign and the other factor '{other}' is {other.CurvatureIn(mode).Describe()}";
    }

    /// <summary>The text of this node for canonicalisation errors.</summary>
    private protected Func<string> Where => ToString;
}
