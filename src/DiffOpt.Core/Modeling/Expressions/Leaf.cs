namespace DiffOpt.Modeling;

/// <summary>A leaf of an expression tree: a variable, parameter or constant.</summary>
public abstract class Leaf : Expression
{
    private static int _nextId;

    /// <summary>A leaf of <paramref name="shape"/>.</summary>
    private protected Leaf(Shape shape, string? name, string prefix)
    {
        Shape = shape;
        Id = Interlocked.Increment(ref _nextId);
        Name = name ?? $"{prefix}{Id}";
    }

    /// <summary>A process-wide unique number.</summary>
    public int Id { get; }

    /// <summary>The name printed in expressions.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>The shape of a vector or matrix leaf from its dimensions.</summary>
    private protected static Shape ShapeOf(int rows, int? cols) => cols is { } c ? Shape.Matrix(rows, c) : Shape.Vector(rows);
}

/// <summary>An optimisation variable: a scalar, vector or matrix (flattened row-major in the cone program).</summary>
public sealed class Variable : Leaf
{
    /// <summary>A scalar variable.</summary>
    /// <param name="name">Name used when printing (default "var&lt;id&gt;").</param>
    /// <param name="nonnegative">Constrain the entries to be ≥ 0 (and tell DCP so).</param>
    public Variable(string? name = null, bool nonnegative = false) : this(Shape.Scalar, name, nonnegative, false) { }

    /// <summary>A vector variable of <paramref name="n"/> entries.</summary>
    /// <param name="n">Length (positive).</param>
    /// <param name="name">Name used when printing.</param>
    /// <param name="nonnegative">Constrain the entries to be ≥ 0 (and tell DCP so).</param>
    public Variable(int n, string? name = null, bool nonnegative = false) : this(Shape.Vector(n), name, nonnegative, false) { }

    /// <summary>A matrix variable.</summary>
    /// <param name="rows">Rows (positive).</param>
    /// <param name="cols">Columns (positive).</param>
    /// <param name="name">Name used when printing.</param>
    /// <param name="nonnegative">Constrain the entries to be ≥ 0.</param>
    /// <param name="psd">Constrain the (square) matrix to be symmetric positive semidefinite.</param>
    public Variable(int rows, int cols, string? name = null, bool nonnegative = false, bool psd = false)
        : this(ShapeOf(rows, cols), name, nonnegative, psd) { }

    private Variable(Shape shape, string? name, bool nonnegative, bool psd) : base(shape, name, "var")
    {
        if (psd && shape.Rows != shape.Cols)
            throw new ArgumentException($"A PSD variable must be square; got shape {shape}.", nameof(psd));
        Nonnegative = nonnegative;
        Psd = psd;
    }

    /// <summary>The entries are constrained to be ≥ 0.</summary>
    public bool Nonnegative { get; }

    /// <summary>The matrix is constrained to be symmetric positive semidefinite.</summary>
    public bool Psd { get; }

    /// <inheritdoc />
    public override Sign Sign => Nonnegative || (Psd && Shape.Size == 1) ? Sign.Nonnegative : Sign.Unknown;

    internal override Curvature CurvatureIn(DisciplineMode mode) => Curvature.Affine;
}

/// <summary>
/// A parameter: a placeholder for data supplied at solve time (a layer input). DCP treats it as a constant; DPP
/// requires the problem data to be affine in it.
/// </summary>
public sealed class Parameter : Leaf
{
    /// <summary>A scalar parameter.</summary>
    /// <param name="name">Name used in messages (default "param&lt;id&gt;").</param>
    /// <param name="nonnegative">The values are promised to be ≥ 0 (checked at solve time).</param>
    public Parameter(string? name = null, bool nonnegative = false) : this(Shape.Scalar, name, nonnegative, false) { }

    /// <summary>A vector parameter of <paramref name="n"/> entries.</summary>
    /// <param name="n">Length (positive).</param>
    /// <param name="name">Name used in messages.</param>
    /// <param name="nonnegative">The values are promised to be ≥ 0.</param>
    public Parameter(int n, string? name = null, bool nonnegative = false) : this(Shape.Vector(n), name, nonnegative, false) { }

    /// <summary>A matrix parameter.</summary>
    /// <param name="rows">Rows (positive).</param>
    /// <param name="cols">Columns (positive).</param>
    /// <param name="name">Name used in messages.</param>
    /// <param name="nonnegative">The values are promised to be ≥ 0.</param>
    /// <param name="psd">The values are promised to be symmetric positive semidefinite (for <see cref="Atoms.QuadForm"/>).</param>
    public Parameter(int rows, int cols, string? name = null, bool nonnegative = false, bool psd = false)
        : this(ShapeOf(rows, cols), name, nonnegative, psd) { }

    private Parameter(Shape shape, string? name, bool nonnegative, bool psd) : base(shape, name, "param")
    {
        if (psd && shape.Rows != shape.Cols)
            throw new ArgumentException($"A PSD parameter must be square; got shape {shape}.", nameof(psd));
        Nonnegative = nonnegative;
        Psd = psd;
    }

    /// <summary>The values are promised to be ≥ 0.</summary>
    public bool Nonnegative { get; }

    /// <summary>The values are promised to be symmetric positive semidefinite.</summary>
    public bool Psd { get; }

    /// <inheritdoc />
    public override Sign Sign => Nonnegative ? Sign.Nonnegative : Sign.Unknown;

    internal override Curvature CurvatureIn(DisciplineMode mode) => mode == DisciplineMode.Dcp ? Curvature.Constant : Curvature.Affine;
}
