namespace DiffOpt.Modeling;

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
