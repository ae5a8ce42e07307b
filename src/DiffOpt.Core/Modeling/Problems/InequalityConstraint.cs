namespace DiffOpt.Modeling;

/// <summary>lhs ≤ rhs elementwise (also built by <c>rhs &gt;= lhs</c>); lhs must be convex and rhs concave.</summary>
public sealed class InequalityConstraint : Constraint
{
    private readonly bool _flipped;

    internal InequalityConstraint(Expression lhs, Expression rhs, bool flipped)
    {
        SameShape(lhs, rhs, flipped ? ">=" : "<=");
        Expressions = [lhs, rhs];
        _flipped = flipped;
    }

    /// <inheritdoc />
    public override IReadOnlyList<Expression> Expressions { get; }

    /// <summary>Prints "lhs &lt;= rhs" or "rhs &gt;= lhs" as written.</summary>
    public override string ToString() => _flipped ? $"{Expressions[1]} >= {Expressions[0]}" : $"{Expressions[0]} <= {Expressions[1]}";

    internal override (string, string)? Violation(DisciplineMode mode)
    {
        var (small, large) = (Expressions[0], Expressions[1]);
        if (!small.CurvatureIn(mode).IsConvex())
            return (ToString(), $"the smaller side must be convex, but '{small}' is {small.CurvatureIn(mode).Describe()}");
        if (!large.CurvatureIn(mode).IsConcave())
            return (ToString(), $"the larger side must be concave, but '{large}' is {large.CurvatureIn(mode).Describe()}");
        return null;
    }

    internal override void Canonicalize(CanonContext context)
    {
        // Norm2(x) <= t is the cone (t, x) itself: Norm2's epigraph variable would be left undetermined by an inactive
        // constraint (a non-unique solution, a singular derivative and a slower solve).
        if (Expressions[0] is Norm2Atom norm)
        {
            context.SecondOrderBound(context.Canon(Expressions[1]), context.Canon(norm.Args[0]));
            return;
        }
        context.LessEqual(context.Canon(Expressions[0]), context.Canon(Expressions[1]));
    }
}
