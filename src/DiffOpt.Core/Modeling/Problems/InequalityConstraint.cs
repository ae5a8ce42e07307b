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

    /// <summary>
    /// An atom's bound (f(x) ≤ t, g(x) ≥ t and their negated forms) in its direct cone form where the atom has one
    /// (<see cref="Dcp2ConeRegistry.TryBound"/>); otherwise lhs's and rhs's canonical forms with lhs ≤ rhs, which
    /// keeps the epigraph variables of their atoms (Norm1, LogSumExp, Huber, sums of atoms, …).
    /// </summary>
    internal override void Canonicalize(CanonContext context)
    {
        var (small, large) = (Expressions[0], Expressions[1]);
        if (Dcp2ConeRegistry.TryBound(small, large, small.Shape.Size >= large.Shape.Size ? small.Shape : large.Shape, context)) return;
        context.LessEqual(context.Canon(small), context.Canon(large));
    }
}
