namespace DiffOpt.Modeling;

/// <summary>Selected entries of an expression (an index, a slice or a block); affine and increasing.</summary>
public sealed class IndexAtom : AffineAtom
{
    private readonly int[] _rows;
    private readonly string _suffix;

    private IndexAtom(Expression x, int[] rows, Shape shape, string suffix) : base(x)
    {
        _rows = rows;
        Shape = shape;
        _suffix = suffix;
    }

    /// <inheritdoc />
    public override string Name => "Index";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <summary>
    /// The entries selected: entry k of the result (row-major) is entry <c>Entries[k]</c> of the row-major
    /// flattening of the argument. Read by serialisers that rebuild the atom through the indexers.
    /// </summary>
    public IReadOnlyList<int> Entries => Array.AsReadOnly(_rows);

    /// <summary>Prints "x[…]".</summary>
    public override string ToString() => Args[0].Wrapped(100) + _suffix;

    /// <summary>Entry i of the row-major flattening.</summary>
    internal static IndexAtom Entry(Expression x, int i)
    {
        if (i < 0 || i >= x.Shape.Size)
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Index {i} is outside '{x}' of shape {x.Shape}.");
        return new IndexAtom(x, [i], Shape.Scalar, $"[{i}]");
    }

    /// <summary>A slice of a vector.</summary>
    internal static IndexAtom Slice(Expression x, Range r)
    {
        if (x.Shape.Rank != 1) throw new ArgumentException($"'{x}' of shape {x.Shape} is not a vector; index it with [rows, cols].", nameof(x));
        var (start, length) = Checked(r, x.Shape.Rows, x, "range");
        return new IndexAtom(x, Enumerable.Range(start, length).ToArray(), Shape.Vector(length), $"[{start}..{start + length}]");
    }

    /// <summary>A block of a matrix; a dropped dimension of length one makes the result a vector or scalar.</summary>
    internal static IndexAtom Block(Expression x, Range rows, Range cols, bool dropRows, bool dropCols)
    {
        if (x.Shape.Rank != 2) throw new ArgumentException($"'{x}' of shape {x.Shape} is not a matrix.", nameof(x));
        var (r0, nr) = Checked(rows, x.Shape.Rows, x, nameof(rows));
        var (c0, nc) = Checked(cols, x.Shape.Cols, x, nameof(cols));
        var idx = new int[nr * nc];
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nc; j++)
                idx[i * nc + j] = (r0 + i) * x.Shape.Cols + c0 + j;
        var shape = (dropRows, dropCols) switch
        {
            (true, true) => Shape.Scalar,
            (true, false) => Shape.Vector(nc),
            (false, true) => Shape.Vector(nr),
            _ => Shape.Matrix(nr, nc),
        };
        string Text(bool drop, int start, int n) => drop ? $"{start}" : $"{start}..{start + n}";
        return new IndexAtom(x, idx, shape, $"[{Text(dropRows, r0, nr)}, {Text(dropCols, c0, nc)}]");
    }

    private static (int Start, int Length) Checked(Range r, int n, Expression x, string name)
    {
        try
        {
            var (start, length) = r.GetOffsetAndLength(n);
            if (length > 0) return (start, length);
        }
        catch (ArgumentOutOfRangeException) { }
        throw new ArgumentOutOfRangeException(name, $"Range {r} is empty or outside '{x}' of shape {x.Shape}.");
    }

    /// <summary>The selected rows of the form.</summary>
    internal static LinearForm Canonicalize(IndexAtom atom, LinearForm[] x, CanonContext context) => x[0].Select(atom._rows, atom.Shape);
}
