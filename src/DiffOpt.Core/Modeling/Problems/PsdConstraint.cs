namespace DiffOpt.Modeling;

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
