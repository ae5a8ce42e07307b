namespace DiffOpt.Modeling;

/// <summary>
/// A constraint of a <see cref="Problem"/>: built by <c>&lt;=</c>, <c>&gt;=</c>, <c>==</c> on expressions, or by
/// <see cref="Psd"/> and <see cref="SecondOrderCone"/>. Prints as written.
/// </summary>
public abstract class Constraint
{
    /// <summary>The expressions the constraint is made of.</summary>
    public abstract IReadOnlyList<Expression> Expressions { get; }

    /// <summary>X is symmetric positive semidefinite (X affine and square).</summary>
    public static Constraint Psd(Expression X) => new PsdConstraint(X);

    /// <summary>‖x‖₂ ≤ t (t a scalar, both affine).</summary>
    public static Constraint SecondOrderCone(Expression t, Expression x) => new SecondOrderConeConstraint(t, x);

    /// <summary>The rule the constraint itself breaks given its expressions' curvatures, or null.</summary>
    internal abstract (string Where, string Rule)? Violation(DisciplineMode mode);

    /// <summary>Adds the constraint's cone rows.</summary>
    internal abstract void Canonicalize(CanonContext context);

    /// <summary>Throws unless the shapes agree (or one side is a scalar).</summary>
    private protected static void SameShape(Expression a, Expression b, string op)
    {
        if (a.Shape.Size != 1 && b.Shape.Size != 1 && a.Shape != b.Shape)
            throw new ArgumentException($"Constraint '{a} {op} {b}': shapes {a.Shape} and {b.Shape} differ.", nameof(b));
    }
}

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

    internal override void Canonicalize(CanonContext context) =>
        context.LessEqual(context.Canon(Expressions[0]), context.Canon(Expressions[1]));
}

/// <summary>X ⪰ 0 for a square affine X (symmetry enforced where X has variables).</summary>
public sealed class PsdConstraint : Constraint
{
    internal PsdConstraint(Expression X)
    {
        ArgumentNullException.ThrowIfNull(X);
        if (X.Shape.Rank != 2 || X.Shape.Rows != X.Shape.Cols)
            throw new ArgumentException($"Psd('{X}'): {X.Shape} is not a square matrix.", nameof(X));
        Expressions = [X];
    }

    /// <inheritdoc />
    public override IReadOnlyList<Expression> Expressions { get; }

    /// <summary>Prints "Psd(X)".</summary>
    public override string ToString() => $"Psd({Expressions[0]})";

    internal override (string, string)? Violation(DisciplineMode mode) => Expressions[0].CurvatureIn(mode).IsAffine()
        ? null
        : (ToString(), $"a PSD constraint needs an affine matrix, but '{Expressions[0]}' is {Expressions[0].CurvatureIn(mode).Describe()}");

    internal override void Canonicalize(CanonContext context) => context.Psd(context.Canon(Expressions[0]), Expressions[0].Shape.Rows);
}

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
