namespace DiffOpt.Modeling;

/// <summary>‖x‖₂ ≤ t for a scalar t; both affine.</summary>
public sealed class SecondOrderConeConstraint : Constraint
{
    internal SecondOrderConeConstraint(Expression t, Expression x)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(x);
        if (t.Shape.Size != 1) throw new ArgumentException($"SecondOrderCone('{t}', '{x}'): t must be a scalar; got {t.Shape}.", nameof(t));
        Expressions = [t, x];
    }

    /// <inheritdoc />
    public override IReadOnlyList<Expression> Expressions { get; }

    /// <summary>Prints "SecondOrderCone(t, x)".</summary>
    public override string ToString() => $"SecondOrderCone({Expressions[0]}, {Expressions[1]})";

    internal override (string, string)? Violation(DisciplineMode mode)
    {
        foreach (var e in Expressions)
            if (!e.CurvatureIn(mode).IsAffine())
                return (ToString(), $"a second-order cone constraint needs affine arguments, but '{e}' is {e.CurvatureIn(mode).Describe()}");
        return null;
    }

    internal override void Canonicalize(CanonContext context) =>
        context.SecondOrder(context.Canon(Expressions[0]), context.Canon(Expressions[1]));
}
