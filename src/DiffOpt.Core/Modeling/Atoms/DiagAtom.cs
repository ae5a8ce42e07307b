namespace DiffOpt.Modeling;

/// <summary><c>Diag(x)</c>: a vector's diagonal matrix, or a square matrix's diagonal as a vector; affine and increasing.</summary>
public sealed class DiagAtom : AffineAtom
{
    internal DiagAtom(Expression x) : base(x)
    {
        Require(x.Shape.Rank == 1 || (x.Shape.Rank == 2 && x.Shape.Rows == x.Shape.Cols),
            $"Diag('{x}'): {x.Shape} is neither a vector nor a square matrix.", nameof(x));
        Shape = x.Shape.Rank == 1 ? Shape.Matrix(x.Shape.Rows, x.Shape.Rows) : Shape.Vector(x.Shape.Rows);
    }

    /// <inheritdoc />
    public override string Name => "Diag";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args[0].Shape.Rank == 1 ? Args[0].Sign.Add(Sign.Zero) : Args[0].Sign;

    /// <summary>Entry i goes to (i, i), or (i, i) comes to entry i.</summary>
    internal static LinearForm Canonicalize(DiagAtom atom, LinearForm[] x, CanonContext context)
    {
        int n = atom.Args[0].Shape.Rows;
        if (atom.Args[0].Shape.Rank == 2)
            return x[0].Select(Enumerable.Range(0, n).Select(i => i * n + i).ToArray(), atom.Shape);
        return new LinearForm(atom.Shape, x[0].Terms.Select(t => t with { Row = t.Row * n + t.Row }).ToList());
    }
}
