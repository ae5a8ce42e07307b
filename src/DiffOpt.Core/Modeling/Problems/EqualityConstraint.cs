namespace DiffOpt.Modeling;

/// <summary>lhs == rhs elementwise; both sides must be affine.</summary>
public sealed class EqualityConstraint : Constraint
{
    internal EqualityConstraint(Expression lhs, Expression rhs)
    {
        SameShape(lhs, rhs, "==");
        Expressions = [lhs, rhs];
    }

    /// <inheritdoc />
    public override IReadOnlyList<Expression> Expressions { get; }

    /// <summary>Prints "lhs == rhs".</summary>
    public override string ToString() => $"{Expressions[0]} == {Expressions[1]}";

    internal override (string, string)? Violation(DisciplineMode mode)
    {
        foreach (var e in Expressions)
            if (!e.CurvatureIn(mode).IsAffine())
                return (ToString(), $"an equality needs affine sides, but '{e}' is {e.CurvatureIn(mode).Describe()}");
        return null;
    }

    internal override void Canonicalize(CanonContext context) =>
        context.Zero(LinearForm.Add(context.Canon(Expressions[0]), context.Canon(Expressions[1]), -1));
}
