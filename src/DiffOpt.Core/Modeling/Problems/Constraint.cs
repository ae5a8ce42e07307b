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
