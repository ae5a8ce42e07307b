namespace DiffOpt.Modeling;

/// <summary>The atoms of the modeling language (for <c>using static DiffOpt.Modeling.Atoms;</c>).</summary>
public static class Atoms
{
    /// <summary>Σ of all entries (a scalar).</summary>
    public static Expression Sum(Expression x) => new SumAtom(x);

    /// <summary>
    /// The sums of the matrix <paramref name="x"/> along <paramref name="axis"/> (cvxpy's <c>sum(x, axis)</c>): axis 0
    /// adds the rows and gives one entry per column, axis 1 adds the columns and gives one entry per row.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not 0 or 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a matrix.</exception>
    public static Expression Sum(Expression x, int axis) => new SumAtom(x, axis);

    /// <summary>Σ x_i² over all entries.</summary>
    public static Expression SumSquares(Expression x) => new SumSquaresAtom(x);

    /// <summary>x² elementwise.</summary>
    public static Expression Square(Expression x) => new SquareAtom(x);

    /// <summary>Σ |x_i|.</summary>
    public static Expression Norm1(Expression x) => new Norm1Atom(x);

    /// <summary>The Euclidean norm of all entries (Frobenius for a matrix).</summary>
    public static Expression Norm2(Expression x) => new Norm2Atom(x);

    /// <summary>max |x_i|.</summary>
    public static Expression NormInf(Expression x) => new NormInfAtom(x);

    /// <summary>|x| elementwise.</summary>
    public static Expression Abs(Expression x) => new AbsAtom(x);

    /// <summary>max(x, 0) elementwise.</summary>
    public static Expression Pos(Expression x) => new PosAtom(x);

    /// <summary>max(−x, 0) elementwise.</summary>
    public static Expression Neg(Expression x) => new NegAtom(x);

    /// <summary>The elementwise maximum of two or more expressions (scalars broadcast).</summary>
    public static Expression Maximum(params Expression[] args) => new MaximumAtom(args);

    /// <summary>The elementwise minimum of two or more expressions (scalars broadcast).</summary>
    public static Expression Minimum(params Expression[] args) => new MinimumAtom(args);

    /// <summary>The elementwise product (one factor constant; a scalar side broadcast).</summary>
    public static Expression Multiply(Expression a, Expression b) => new MultiplyAtom(a, b, scalarProduct: false);

    /// <summary>xᵀPx (P constant, or a PSD parameter in a minimised objective).</summary>
    public static Expression QuadForm(Expression x, Expression P) => new QuadFormAtom(x, P);

    /// <summary>Σ x_i² / y for a scalar y &gt; 0.</summary>
    public static Expression QuadOverLin(Expression x, Expression y) => new QuadOverLinAtom(x, y);

    /// <summary>x^p elementwise for a rational p = a/b with b ≤ 1024 (|x|^p for p &gt; 1).</summary>
    /// <exception cref="NotSupportedException">p is not such a rational.</exception>
    public static Expression Power(Expression x, double p) => new PowerAtom(x, p);

    /// <summary>√x elementwise.</summary>
    public static Expression Sqrt(Expression x) => new SqrtAtom(x);

    /// <summary>eˣ elementwise.</summary>
    public static Expression Exp(Expression x) => new ExpAtom(x);

    /// <summary>log x elementwise.</summary>
    public static Expression Log(Expression x) => new LogAtom(x);

    /// <summary>−x log x elementwise.</summary>
    public static Expression Entropy(Expression x) => new EntropyAtom(x);

    /// <summary>log Σ e^{x_i}.</summary>
    public static Expression LogSumExp(Expression x) => new LogSumExpAtom(x);

    /// <summary>log(1 + eˣ) elementwise.</summary>
    public static Expression Logistic(Expression x) => new LogisticAtom(x);

    /// <summary>The Huber function with threshold M elementwise.</summary>
    public static Expression Huber(Expression x, double M = 1) => new HuberAtom(x, M);

    /// <summary>x log(x/y) − x + y elementwise.</summary>
    public static Expression KlDiv(Expression x, Expression y) => new KlDivAtom(x, y);

    /// <summary>The trace of a square matrix.</summary>
    public static Expression Trace(Expression X) => new TraceAtom(X);

    /// <summary>A vector's diagonal matrix, or a square matrix's diagonal.</summary>
    public static Expression Diag(Expression x) => new DiagAtom(x);

    /// <summary>The entries in row-major order with a new shape.</summary>
    public static Expression Reshape(Expression x, Shape shape) => new ReshapeAtom(x, shape);

    /// <summary>Vectors (as rows) or matrices stacked vertically.</summary>
    public static Expression VStack(params Expression[] parts) => new StackAtom(vertical: true, parts);

    /// <summary>Vectors end to end, or matrices side by side.</summary>
    public static Expression HStack(params Expression[] parts) => new StackAtom(vertical: false, parts);

    /// <summary>The transpose of a matrix.</summary>
    public static Expression Transpose(Expression X) => new TransposeAtom(X);

    /// <summary>The largest eigenvalue of a symmetric matrix.</summary>
    public static Expression LambdaMax(Expression X) => new LambdaMaxAtom(X);

    /// <summary>log det X of a symmetric positive definite matrix.</summary>
    public static Expression LogDet(Expression X) => new LogDetAtom(X);
}
