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

/// <summary>The elementwise product <c>Multiply(a, b)</c> (also scalar × expression, printed "a * b").</summary>
public sealed class MultiplyAtom : ProductAtom
{
    private readonly bool _scalarProduct;

    internal MultiplyAtom(Expression a, Expression b, bool scalarProduct) : base(a, b)
    {
        _scalarProduct = scalarProduct;
        Require(a.Shape.Size == 1 || b.Shape.Size == 1 || a.Shape == b.Shape,
            $"Multiply('{a}', '{b}'): shapes {a.Shape} and {b.Shape} differ.", nameof(b));
        Shape = a.Shape.Size == 1 && (b.Shape.Size > 1 || b.Shape.Rank > a.Shape.Rank) ? b.Shape : a.Shape;
    }

    /// <inheritdoc />
    public override string Name => "Multiply";

    /// <inheritdoc />
    public override Shape Shape { get; }

    internal override int Precedence => _scalarProduct ? 70 : 100;

    /// <summary>Prints "a * b" for a scalar product, else Multiply(a, b).</summary>
    public override string ToString() => _scalarProduct ? $"{Args[0].Wrapped(70)} * {Args[1].Wrapped(71)}" : base.ToString();

    /// <summary>The elementwise product of the forms.</summary>
    internal static LinearForm Canonicalize(MultiplyAtom atom, LinearForm[] x, CanonContext context) =>
        LinearForm.Multiply(x[0], x[1], atom.Shape, atom.Where);
}

/// <summary>The matrix product a·b (cvxpy's <c>@</c>): matrix·matrix, matrix·vector, vector·matrix, vector·vector (a scalar).</summary>
public sealed class MatMulAtom : ProductAtom
{
    internal MatMulAtom(Expression a, Expression b) : base(a, b)
    {
        int inner = a.Shape.Rank == 2 ? a.Shape.Cols : a.Shape.Rows;
        Require(inner == b.Shape.Rows, $"Cannot multiply '{a}' {a.Shape} by '{b}' {b.Shape}: inner dimensions differ.", nameof(b));
        Shape = (a.Shape.Rank, b.Shape.Rank) switch
        {
            (2, 2) => Shape.Matrix(a.Shape.Rows, b.Shape.Cols),
            (2, _) => Shape.Vector(a.Shape.Rows),
            (_, 2) => Shape.Vector(b.Shape.Cols),
            _ => Shape.Scalar,
        };
    }

    /// <inheritdoc />
    public override string Name => "MatMul";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.IsNonnegative() && Args[1].Sign.IsNonnegative() ? Sign.Nonnegative
        : Args[0].Sign.Multiply(Args[1].Sign) == Sign.Nonpositive ? Sign.Nonpositive : Sign.Unknown;

    internal override int Precedence => 70;

    /// <summary>Prints "a * b".</summary>
    public override string ToString() => $"{Args[0].Wrapped(70)} * {Args[1].Wrapped(71)}";

    /// <summary>The matrix product of the forms (a vector on the left is a row, on the right a column).</summary>
    internal static LinearForm Canonicalize(MatMulAtom atom, LinearForm[] x, CanonContext context)
    {
        var (a, b) = (atom.Args[0].Shape, atom.Args[1].Shape);
        int m = a.Rank == 2 ? a.Rows : 1, n = a.Rank == 2 ? a.Cols : a.Rows, k = b.Rank == 2 ? b.Cols : 1;
        return LinearForm.MatMul(x[0], m, n, x[1], k, atom.Shape, atom.Where);
    }
}

/// <summary>a / b for a constant, parameter-free b (a scalar, or a's shape, elementwise).</summary>
public sealed class DivideAtom : Atom
{
    internal DivideAtom(Expression a, Expression b) : base(a, b)
    {
        Require(!b.HasVariables, $"Cannot divide '{a}' by '{b}': the divisor must be constant.", nameof(b));
        Require(b.Shape.Size == 1 || b.Shape == a.Shape, $"Cannot divide '{a}' {a.Shape} by '{b}' {b.Shape}: shapes differ.", nameof(b));
    }

    /// <inheritdoc />
    public override string Name => "Divide";

    /// <inheritdoc />
    public override Shape Shape => Args[0].Shape;

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.Multiply(Args[1].Sign);

    internal override int Precedence => 70;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => i == 0 && Args[1].Sign == Sign.Nonnegative;

    internal override bool IsDecreasing(int i) => i == 0 && Args[1].Sign == Sign.Nonpositive;

    internal override Curvature ComputeCurvature(DisciplineMode mode) =>
        Args[1].CurvatureIn(mode) != Curvature.Constant ? Curvature.Unknown : base.ComputeCurvature(mode);

    internal override string ExplainUnknown(DisciplineMode mode) => Args[1].CurvatureIn(mode) != Curvature.Constant
        ? $"the divisor '{Args[1]}' must be parameter-free (1/θ is not affine in θ)"
        : base.ExplainUnknown(mode);

    /// <summary>Prints "a / b".</summary>
    public override string ToString() => $"{Args[0].Wrapped(70)} / {Args[1].Wrapped(71)}";

    /// <summary>a times the reciprocal of the constant b.</summary>
    internal static LinearForm Canonicalize(DivideAtom atom, LinearForm[] x, CanonContext context)
    {
        if (x[1].HasParameters) throw new DppException(atom.ToString(), "the divisor must be parameter-free (1/θ is not affine in θ)");
        var d = x[1].ConstantValues();
        if (d.Any(v => v == 0)) throw new ArgumentException($"'{atom}' divides by zero.", nameof(atom));
        var inverse = LinearForm.Constant(d.Select(v => 1 / v).ToArray(), atom.Args[1].Shape);
        return LinearForm.Multiply(x[0], inverse, atom.Shape, atom.ToString);
    }
}
