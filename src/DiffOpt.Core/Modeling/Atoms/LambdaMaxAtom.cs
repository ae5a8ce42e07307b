namespace DiffOpt.Modeling;

/// <summary><c>LambdaMax(X)</c>: the largest eigenvalue of a symmetric matrix; convex, not monotone (entrywise).</summary>
public sealed class LambdaMaxAtom : FunctionAtom
{
    internal LambdaMaxAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.None, Sign.Unknown, elementwise: false) =>
        Require(x.Shape.Rank == 2 && x.Shape.Rows == x.Shape.Cols, $"LambdaMax('{x}'): {x.Shape} is not a square matrix.", nameof(x));

    /// <inheritdoc />
    public override string Name => "LambdaMax";

    /// <summary>t with t·I − X ⪰ 0 (and X = Xᵀ where X has variables).</summary>
    internal static LinearForm Canonicalize(LambdaMaxAtom atom, LinearForm[] x, CanonContext context)
    {
        int n = atom.Args[0].Shape.Rows;
        var t = context.NewVariable(Shape.Scalar);
        var tI = new LinearForm(atom.Args[0].Shape, Enumerable.Range(0, n).Select(i => t.Terms[0] with { Row = i * n + i }).ToList());
        context.Psd(LinearForm.Add(tI, x[0], -1), n);
        return t;
    }
}
