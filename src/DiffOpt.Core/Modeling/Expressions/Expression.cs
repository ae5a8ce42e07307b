namespace DiffOpt.Modeling;

/// <summary>
/// A node of a convex-optimisation expression tree: a <see cref="Variable"/>, <see cref="Parameter"/>,
/// <see cref="Constant"/> or an <see cref="Atom"/> applied to expressions. Operators build new trees:
/// <c>+</c>, <c>-</c>, <c>*</c> (scalar scaling, or the matrix product when both sides are vectors/matrices, as
/// cvxpy's <c>@</c>), <c>/</c> by a constant, indexing and slicing, and <c>&lt;=</c>, <c>&gt;=</c>, <c>==</c>,
/// which build <see cref="Constraint"/>s. <see cref="object.ToString"/> prints the expression as written.
/// </summary>
/// <remarks>Equality of expressions is reference identity; <c>==</c> builds a constraint.</remarks>
#pragma warning disable CS0660, CS0661 // == builds constraints; Equals/GetHashCode stay reference-based.
public abstract class Expression
#pragma warning restore CS0660, CS0661
{
    private bool? _hasVariables;
    private bool? _hasParameters;

    /// <summary>The shape.</summary>
    public abstract Shape Shape { get; }

    /// <summary>The sign as far as the DCP rules can tell.</summary>
    public abstract Sign Sign { get; }

    /// <summary>The curvature under the DCP rules (parameters count as constants).</summary>
    public Curvature Curvature => CurvatureIn(DisciplineMode.Dcp);

    /// <summary>The sub-expressions this node is built from (none for leaves).</summary>
    public virtual IReadOnlyList<Expression> Args => [];

    /// <summary>True when some variable occurs in the expression.</summary>
    public bool HasVariables => _hasVariables ??= this is Variable || Args.Any(a => a.HasVariables);

    /// <summary>True when some parameter occurs in the expression.</summary>
    public bool HasParameters => _hasParameters ??= this is Parameter || Args.Any(a => a.HasParameters);

    /// <summary>The distinct variables of the expression, in order of first occurrence.</summary>
    public IEnumerable<Variable> Variables() => Leaves().OfType<Variable>().Distinct();

    /// <summary>The distinct parameters of the expression, in order of first occurrence.</summary>
    public IEnumerable<Parameter> Parameters() => Leaves().OfType<Parameter>().Distinct();

    /// <summary>Curvature under the DCP rules (parameters constant) or the DPP rules (parameters affine).</summary>
    internal abstract Curvature CurvatureIn(DisciplineMode mode);

    /// <summary>Binding strength for printing: higher binds tighter.</summary>
    internal virtual int Precedence => 100;

    /// <summary>This expression's text, in parentheses when it binds looser than <paramref name="context"/>.</summary>
    internal string Wrapped(int context) => Precedence < context ? $"({this})" : $"{this}";

    private IEnumerable<Expression> Leaves()
    {
        if (Args.Count == 0) yield return this;
        foreach (var a in Args)
            foreach (var leaf in a.Leaves())
                yield return leaf;
    }

    /// <summary>A constant expression from a double.</summary>
    public static implicit operator Expression(double value) => new Constant(value);

    /// <summary>A constant vector.</summary>
    public static implicit operator Expression(double[] values) => new Constant(values);

    /// <summary>A constant matrix.</summary>
    public static implicit operator Expression(double[,] values) => new Constant(values);

    /// <summary>The sum (a scalar side is broadcast).</summary>
    public static Expression operator +(Expression a, Expression b) => new AddAtom(a, b, subtract: false);

    /// <summary>The difference (a scalar side is broadcast).</summary>
    public static Expression operator -(Expression a, Expression b) => new AddAtom(a, b, subtract: true);

    /// <summary>The negation.</summary>
    public static Expression operator -(Expression a) => new NegateAtom(a);

    /// <summary>Scalar times expression when a side is a scalar, otherwise the matrix product (cvxpy's <c>@</c>).</summary>
    public static Expression operator *(Expression a, Expression b) =>
        a.Shape.IsScalar || b.Shape.IsScalar ? new MultiplyAtom(a, b, scalarProduct: true) : new MatMulAtom(a, b);

    /// <summary>Division by a constant (no variables; parameters are refused by DPP).</summary>
    public static Expression operator /(Expression a, Expression b) => new DivideAtom(a, b);

    /// <summary>The constraint a ≤ b (elementwise).</summary>
    public static Constraint operator <=(Expression a, Expression b) => new InequalityConstraint(a, b, flipped: false);

    /// <summary>The constraint a ≥ b (elementwise).</summary>
    public static Constraint operator >=(Expression a, Expression b) => new InequalityConstraint(b, a, flipped: true);

    /// <summary>The constraint a = b (elementwise).</summary>
    public static Constraint operator ==(Expression a, Expression b) => new EqualityConstraint(a, b);

    /// <summary>Not supported: a "not equal" constraint is not convex.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public static Constraint operator !=(Expression a, Expression b) =>
        throw new NotSupportedException($"'{a} != {b}' is not a convex constraint.");

    /// <summary>Entry <paramref name="i"/> of a vector (or of the row-major flattening of a matrix).</summary>
    public Expression this[int i] => IndexAtom.Entry(this, i);

    /// <summary>Entry (i, j) of a matrix.</summary>
    public Expression this[int i, int j] => IndexAtom.Block(this, i..(i + 1), j..(j + 1), dropRows: true, dropCols: true);

    /// <summary>A slice of a vector.</summary>
    public Expression this[Range r] => IndexAtom.Slice(this, r);

    /// <summary>A block of a matrix.</summary>
    public Expression this[Range rows, Range cols] => IndexAtom.Block(this, rows, cols, dropRows: false, dropCols: false);

    /// <summary>Row <paramref name="i"/> of a matrix, sliced by <paramref name="cols"/> (a vector).</summary>
    public Expression this[int i, Range cols] => IndexAtom.Block(this, i..(i + 1), cols, dropRows: true, dropCols: false);

    /// <summary>Column <paramref name="j"/> of a matrix, sliced by <paramref name="rows"/> (a vector).</summary>
    public Expression this[Range rows, int j] => IndexAtom.Block(this, rows, j..(j + 1), dropRows: false, dropCols: true);
}

/// <summary>Which rule set a curvature is computed under.</summary>
internal enum DisciplineMode
{
    /// <summary>Parameters are constants.</summary>
    Dcp,

    /// <summary>Parameters are affine; products keep one parameter-affine and one parameter-free factor.</summary>
    Dpp,
}
