namespace DiffOpt.Modeling;

/// <summary>
/// <c>VStack(…)</c> (rows of vectors or matrices on top of one another, a matrix) or <c>HStack(…)</c> (vectors and
/// scalars end to end, or matrices with equal row counts side by side); affine and increasing in each argument.
/// </summary>
public sealed class StackAtom : AffineAtom
{
    private readonly bool _vertical;

    internal StackAtom(bool vertical, Expression[] parts) : base(parts)
    {
        Require(parts.Length > 0, "Stacking needs at least one expression.", nameof(parts));
        _vertical = vertical;
        if (vertical)
        {
            int cols = Width(parts[0]);
            Require(parts.All(p => p.Shape.Rank >= 1 && Width(p) == cols),
                $"VStack: every part must be a vector or matrix with {cols} columns; got {string.Join(", ", parts.Select(p => p.Shape))}.", nameof(parts));
            Shape = Shape.Matrix(parts.Sum(p => p.Shape.Rank == 2 ? p.Shape.Rows : 1), cols);
        }
        else if (parts.All(p => p.Shape.Rank <= 1))
            Shape = Shape.Vector(parts.Sum(p => p.Shape.Size));
        else
        {
            int rows = parts[0].Shape.Rows;
            Require(parts.All(p => p.Shape.Rank == 2 && p.Shape.Rows == rows),
                $"HStack: matrices must have {rows} rows; got {string.Join(", ", parts.Select(p => p.Shape))}.", nameof(parts));
            Shape = Shape.Matrix(rows, parts.Sum(p => p.Shape.Cols));
        }
    }

    /// <inheritdoc />
    public override string Name => _vertical ? "VStack" : "HStack";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args.Select(a => a.Sign).Aggregate((a, b) => a == b ? a : a.IsNonnegative() && b.IsNonnegative() ? Sign.Nonnegative
        : a.IsNonpositive() && b.IsNonpositive() ? Sign.Nonpositive : Sign.Unknown);

    private static int Width(Expression p) => p.Shape.Rank == 2 ? p.Shape.Cols : p.Shape.Rows;

    /// <summary>Row-major concatenation (vertical, or vectors) or column blocks interleaved row by row.</summary>
    internal static LinearForm Canonicalize(StackAtom atom, LinearForm[] x, CanonContext context)
    {
        var all = LinearForm.Concat(x);
        if (atom._vertical || atom.Shape.Rank == 1) return all.WithShape(atom.Shape);
        var rows = new List<int>();
        int r = atom.Shape.Rows;
        for (int i = 0; i < r; i++)
        {
            int offset = 0;
            foreach (var part in atom.Args)
            {
                int c = part.Shape.Cols;
                for (int j = 0; j < c; j++) rows.Add(offset + i * c + j);
                offset += part.Shape.Size;
            }
        }
        return all.Select(rows, atom.Shape);
    }
}
