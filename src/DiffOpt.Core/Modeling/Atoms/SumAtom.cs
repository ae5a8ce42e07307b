namespace DiffOpt.Modeling;

/// <summary>
/// <c>Sum(x)</c>: the sum of all entries, a scalar; <c>Sum(X, axis)</c> of a matrix: the sums along an axis as
/// cvxpy's <c>sum(X, axis)</c> — axis 0 adds the rows (a vector with one entry per column), axis 1 adds the columns
/// (one entry per row). Affine and increasing.
/// </summary>
public sealed class SumAtom : AffineAtom
{
    internal SumAtom(Expression x, int? axis = null) : base(x)
    {
        if (axis is null) return;
        if (axis is not (0 or 1))
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Sum('{x}', axis): axis must be 0 (add the rows) or 1 (add the columns).");
        if (x.Shape.Rank != 2)
            throw new ArgumentException($"Sum('{x}', axis: {axis}): an axis needs a matrix; '{x}' has shape {x.Shape}. Use Sum(x) for the sum of all entries.", nameof(x));
        Axis = axis;
    }

    /// <summary>The axis summed along (0: rows, 1: columns), or null for the sum of all entries.</summary>
    public int? Axis { get; }

    /// <inheritdoc />
    public override string Name => "Sum";

    /// <inheritdoc />
    public override Shape Shape => Axis switch
    {
        null => Shape.Scalar,
        0 => Shape.Vector(Args[0].Shape.Cols),
        _ => Shape.Vector(Args[0].Shape.Rows),
    };

    /// <summary>Prints "Sum(x)" or "Sum(x, axis: k)".</summary>
    public override string ToString() => Axis is { } axis ? $"Sum({Args[0]}, axis: {axis})" : base.ToString();

    /// <summary>The sum of the form's entries, or its sums along the axis.</summary>
    internal static LinearForm Canonicalize(SumAtom atom, LinearForm[] x, CanonContext context) =>
        atom.Axis is { } axis ? x[0].SumAlong(axis, atom.Shape) : x[0].Sum();
}
