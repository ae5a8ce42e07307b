namespace DiffOpt.Modeling;

/// <summary>
/// Splits a (signed) objective into quadratic terms, kept as the program's P block, and the rest, canonicalised as
/// usual: sums, negations and scaling by scalar constants are walked through; SumSquares, a scalar Square, Sum of
/// Square and QuadForm reached with a weight that keeps them convex become P entries (MODELING.md: quadratic
/// objectives stay quadratic, not lifted to second-order cones).
/// </summary>
internal static class ObjectiveCanonicalizer
{
    /// <summary>The objective's terms that become P blocks (with their weights), for DPP's QuadForm rule.</summary>
    public static HashSet<Expression> QuadraticTerms(Expression objective, double sign)
    {
        var set = new HashSet<Expression>(ReferenceEqualityComparer.Instance);
        Visit(objective, sign, (e, _) => set.Add(e), (_, _) => { });
        return set;
    }

    /// <summary>Adds the quadratic terms to <paramref name="context"/> and returns the linear part (a scalar form).</summary>
    public static LinearForm Canonicalize(Expression objective, double sign, CanonContext context)
    {
        var linear = LinearForm.Scalar(0);
        Visit(objective, sign, (e, w) => AddQuadratic(e, w, context), (e, w) => linear = LinearForm.Add(linear, context.Canon(e).Sum(), w));
        return LinearForm.Add(linear, new LinearForm(Shape.Scalar, context.LinearObjective));
    }

    private static void AddQuadratic(Expression e, double w, CanonContext context)
    {
        switch (e)
        {
            case QuadFormAtom q:
                context.QuadraticForm(context.Canon(q.Args[0]), context.Canon(q.Args[1]), w);
                break;
            case SumAtom { Args: [SquareAtom s] }:
                context.SquaredNorm(context.Canon(s.Args[0]), w);
                break;
            default:
                context.SquaredNorm(context.Canon(e.Args[0]), w);
                break;
        }
    }

    private static void Visit(Expression e, double w, Action<Expression, double> quadratic, Action<Expression, double> other)
    {
        switch (e)
        {
            case AddAtom add:
                Visit(add.Args[0], w, quadratic, other);
                Visit(add.Args[1], add.Name == "Subtract" ? -w : w, quadratic, other);
                return;
            case NegateAtom neg:
                Visit(neg.Args[0], -w, quadratic, other);
                return;
            case MultiplyAtom { Args: [Constant { Shape.Size: 1 } k, var x] } when x.Shape.IsScalar:
                Visit(x, w * k.Values[0], quadratic, other);
                return;
            case MultiplyAtom { Args: [var x, Constant { Shape.Size: 1 } k] } when x.Shape.IsScalar:
                Visit(x, w * k.Values[0], quadratic, other);
                return;
            case DivideAtom { Args: [var x, Constant { Shape.Size: 1 } k] } when k.Values[0] != 0:
                Visit(x, w / k.Values[0], quadratic, other);
                return;
        }
        if (w == 0) return;
        if (IsQuadratic(e, w)) quadratic(e, w);
        else other(e, w);
    }

    private static bool IsQuadratic(Expression e, double w) => e switch
    {
        SumSquaresAtom => w > 0,
        SquareAtom s => w > 0 && s.Shape.IsScalar,
        SumAtom { Args: [SquareAtom] } => w > 0,
        QuadFormAtom q => (w > 0 && q.PsdMatrix) || (w < 0 && q.NsdMatrix),
        _ => false,
    };
}
