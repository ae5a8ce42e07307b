namespace DiffOpt.Modeling;

/// <summary><c>Reshape(x, shape)</c>: the same entries in row-major order with another shape; affine and increasing.</summary>
public sealed class ReshapeAtom : AffineAtom
{
    internal ReshapeAtom(Expression x, Shape shape) : base(x)
    {
        Require(shape.Size == x.Shape.Size, $"Reshape('{x}'): cannot reshape {x.Shape} to {shape}.", nameof(shape));
        Shape = shape;
    }

    /// <inheritdoc />
    public override string Name => "Reshape";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <summary>Prints "Reshape(x, shape)".</summary>
    public override string ToString() => $"Reshape({Args[0]}, {Shape})";

    /// <summary>The same form with the new shape.</summary>
    internal static LinearForm Canonicalize(ReshapeAtom atom, LinearForm[] x, CanonContext context) => x[0].WithShape(atom.Shape);
}
