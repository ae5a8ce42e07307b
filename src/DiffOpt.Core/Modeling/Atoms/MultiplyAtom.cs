namespace DiffOpt.Modeling;

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
