namespace DiffOpt.Modeling;

/// <summary>a + b or a − b (a scalar side is broadcast); affine, increasing in a, increasing (decreasing for −) in b.</summary>
public sealed class AddAtom : Atom
{
    private readonly bool _subtract;

    internal AddAtom(Expression a, Expression b, bool subtract) : base(a, b)
    {
        _subtract = subtract;
        Require(a.Shape.Size == 1 || b.Shape.Size == 1 || a.Shape == b.Shape,
            $"Cannot {(subtract ? "subtract" : "add")} '{a}' {a.Shape} and '{b}' {b.Shape}: shapes differ.", nameof(b));
        Shape = a.Shape.Size == 1 && b.Shape.Size > 1 ? b.Shape : a.Shape.Size == 1 && b.Shape.Size == 1 && b.Shape.Rank > a.Shape.Rank ? b.Shape : a.Shape;
    }

    /// <inheritdoc />
    public override string Name => _subtract ? "Subtract" : "Add";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.Add(_subtract ? Args[1].Sign.Negate() : Args[1].Sign);

    internal override int Precedence => 60;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => true;

    internal override bool IsIncreasing(int i) => i == 0 || !_subtract;

    internal override bool IsDecreasing(int i) => i == 1 && _subtract;

    /// <summary>Prints "a + b" or "a - b".</summary>
    public override string ToString() => $"{Args[0].Wrapped(60)} {(_subtract ? "-" : "+")} {Args[1].Wrapped(_subtract ? 61 : 60)}";

    /// <summary>The sum of the forms.</summary>
    internal static LinearForm Canonicalize(AddAtom atom, LinearForm[] x, CanonContext context) =>
        LinearForm.Add(x[0], x[1], atom._subtract ? -1 : 1).WithShape(atom.Shape);
}
