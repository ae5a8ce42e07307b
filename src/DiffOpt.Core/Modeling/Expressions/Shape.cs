namespace DiffOpt.Modeling;

/// <summary>
/// The shape of an expression: a scalar (rank 0), a vector of <see cref="Rows"/> entries (rank 1) or a
/// <see cref="Rows"/> × <see cref="Cols"/> matrix (rank 2). Entries are flattened row-major, as torch stores them.
/// </summary>
/// <param name="Rank">0, 1 or 2.</param>
/// <param name="Rows">Entries of a vector, rows of a matrix, 1 for a scalar.</param>
/// <param name="Cols">Columns of a matrix, 1 otherwise.</param>
public readonly record struct Shape(int Rank, int Rows, int Cols)
{
    /// <summary>The scalar shape.</summary>
    public static Shape Scalar => new(0, 1, 1);

    /// <summary>A vector of <paramref name="n"/> entries.</summary>
    public static Shape Vector(int n) => new(1, Positive(n, nameof(n)), 1);

    /// <summary>A <paramref name="rows"/> × <paramref name="cols"/> matrix.</summary>
    public static Shape Matrix(int rows, int cols) => new(2, Positive(rows, nameof(rows)), Positive(cols, nameof(cols)));

    /// <summary>The number of entries.</summary>
    public int Size => Rows * Cols;

    /// <summary>True for the scalar shape.</summary>
    public bool IsScalar => Rank == 0;

    /// <summary>The shape as torch writes it: (), (n) or (r,c).</summary>
    public override string ToString() => Rank switch { 0 => "()", 1 => $"({Rows})", _ => $"({Rows},{Cols})" };

    /// <summary>The dimensions as a torch shape.</summary>
    public long[] Dimensions => Rank switch { 0 => [], 1 => [Rows], _ => [Rows, Cols] };

    /// <summary>The shape of a tensor's dimensions (rank at most 2).</summary>
    internal static Shape FromDimensions(long[] dims) => dims.Length switch
    {
        0 => Scalar,
        1 => Vector((int)dims[0]),
        2 => Matrix((int)dims[0], (int)dims[1]),
        _ => throw new ArgumentException($"Expected a scalar, vector or matrix; got {dims.Length} dimensions.", nameof(dims)),
    };

    private static int Positive(int n, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, name);
        return n;
    }
}
