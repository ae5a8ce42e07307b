namespace DiffOpt.Modeling;

/// <summary>The matrix product a·b (cvxpy's <c>@</c>): matrix·matrix, matrix·vector, vector·matrix, vector·vector (a scalar).</summary>
public sealed class MatMulAtom : ProductAtom
{
    internal MatMulAtom(Expression a, Expression b) : base(a, b)
    {
        int inner = a.Shape.Rank == 2 ? a.Shape.Cols : a.Shape.Rows;
        Require(inner == b.Shape.Rows, $"Cannot multiply '{a}' {a.Shape} by '{b}' {b.Shape}: inner dimensions differ.", nameof(b));
        Shape = (a.Shape.Rank, b.Shape.Rank) switch
        {
            (2, 2) => Shape.Matrix(a.Shape.Rows, b.Shape.Cols),
            (2, _) => Shape.Vector(a.Shape.Rows),
            (_, 2) => Shape.Vector(b.Shape.Cols),
            _ => Shape.Scalar,
        };
    }

    /// <inheritdoc />
    public override string Name => "MatMul";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args[0].Sign.IsNonnegative() && Args[1].Sign.IsNonnegative() ? Sign.Nonnegative
        : Args[0].Sign.Multiply(Args[1].Sign) == Sign.Nonpositive ? Sign.Nonpositive : Sign.Unknown;

    internal override int Precedence => 70;

    /// <summary>Prints "a * b".</summary>
    public override string ToString() => $"{Args[0].Wrapped(70)} * {Args[1].Wrapped(71)}";

    /// <summary>The matrix product of the forms (a vector on the left is a row, on the right a column).</summary>
    internal static LinearForm Canonicalize(MatMulAtom atom, LinearForm[] x, CanonContext context)
    {
        var (a, b) = (atom.Args[0].Shape, atom.Args[1].Shape);
        int m = a.Rank == 2 ? a.Rows : 1, n = a.Rank == 2 ? a.Cols : a.Rows, k = b.Rank == 2 ? b.Cols : 1;
        return LinearForm.MatMul(x[0], m, n, x[1], k, atom.Shape, atom.Where);
    }
}
