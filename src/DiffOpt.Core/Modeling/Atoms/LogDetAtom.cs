namespace DiffOpt.Modeling;

/// <summary><c>LogDet(X)</c> = log det X of a symmetric positive definite matrix; concave, not monotone (entrywise).</summary>
public sealed class LogDetAtom : FunctionAtom
{
    internal LogDetAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.None, Sign.Unknown, elementwise: false) =>
        Require(x.Shape.Rank == 2 && x.Shape.Rows == x.Shape.Cols, $"LogDet('{x}'): {x.Shape} is not a square matrix.", nameof(x));

    /// <inheritdoc />
    public override string Name => "LogDet";

    /// <summary>
    /// Σ u_i with [X Z; Zᵀ Diag(diag Z)] ⪰ 0 for a lower-triangular Z and u_i ≤ log Z_ii: by the Schur complement
    /// X ⪰ L D Lᵀ with unit-triangular L and D = Diag(Z_ii), so log det X ≥ Σ log Z_ii (tight at the optimum).
    /// </summary>
    internal static LinearForm Canonicalize(LogDetAtom atom, LinearForm[] x, CanonContext context)
    {
        int n = atom.Args[0].Shape.Rows, order = 2 * n;
        var z = context.NewVariable(Shape.Vector(n * (n + 1) / 2));
        int first = z.Terms[0].Column;
        int Column(int i, int j) => first + j * n - j * (j - 1) / 2 + (i - j); // lower triangle, column by column
        var terms = new List<Term>();
        foreach (var t in x[0].Terms) terms.Add(t with { Row = (t.Row / n) * order + t.Row % n });
        var diagonal = new List<Term>();
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                terms.Add(new Term(i * order + n + j, Column(i, j), LinearForm.One, 1));
                terms.Add(new Term((n + j) * order + i, Column(i, j), LinearForm.One, 1));
            }
            terms.Add(new Term((n + j) * order + n + j, Column(j, j), LinearForm.One, 1));
            diagonal.Add(new Term(j, Column(j, j), LinearForm.One, 1));
        }
        context.Psd(new LinearForm(Shape.Matrix(order, order), terms), order);
        var u = context.NewVariable(Shape.Vector(n));
        context.Exponential(u, LinearForm.Scalar(1), new LinearForm(Shape.Vector(n), diagonal));
        return u.Sum();
    }
}
