namespace DiffOpt.Modeling;

/// <summary><c>Trace(X)</c> of a square matrix; affine and increasing.</summary>
public sealed class TraceAtom : AffineAtom
{
    internal TraceAtom(Expression x) : base(x) =>
        Require(x.Shape.Rank == 2 && x.Shape.Rows == x.Shape.Cols, $"Trace('{x}'): {x.Shape} is not a square matrix.", nameof(x));

    /// <inheritdoc />
    public override string Name => "Trace";

    /// <inheritdoc />
    public override Shape Shape => Shape.Scalar;

    /// <summary>The sum of the diagonal rows.</summary>
    internal static LinearForm Canonicalize(TraceAtom atom, LinearForm[] x, CanonContext context)
    {
        int n = atom.Args[0].Shape.Rows;
        return x[0].Select(Enumerable.Range(0, n).Select(i => i * n + i).ToArray(), Shape.Vector(n)).Sum();
    }
}
