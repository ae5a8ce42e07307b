namespace DiffOpt.Modeling;

/// <summary><c>Transpose(X)</c> of a matrix (a vector or scalar is its own transpose); affine and increasing.</summary>
public sealed class TransposeAtom : AffineAtom
{
    internal TransposeAtom(Expression x) : base(x) =>
        Shape = x.Shape.Rank == 2 ? Shape.Matrix(x.Shape.Cols, x.Shape.Rows) : x.Shape;

    /// <inheritdoc />
    public override string Name => "Transpose";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <summary>Entry (i, j) of the result is entry (j, i) of the argument.</summary>
    internal static LinearForm Canonicalize(TransposeAtom atom, LinearForm[] x, CanonContext context)
    {
        if (atom.Shape.Rank < 2) return x[0];
        int r = atom.Shape.Rows, c = atom.Shape.Cols;
        var rows = new int[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                rows[i * c + j] = j * r + i;
        return x[0].Select(rows, atom.Shape);
    }
}
