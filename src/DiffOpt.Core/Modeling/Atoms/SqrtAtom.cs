namespace DiffOpt.Modeling;

/// <summary><c>Sqrt(x)</c> elementwise (x ≥ 0); concave, nonnegative, increasing.</summary>
public sealed class SqrtAtom : FunctionAtom
{
    internal SqrtAtom(Expression x) : base(x, Curvature.Concave, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Sqrt";

    /// <summary>t_i ≤ √x_i as (x_i + 1, x_i − 1, 2t_i) in three-dimensional second-order cones.</summary>
    internal static LinearForm Canonicalize(SqrtAtom atom, LinearForm[] x, CanonContext context) => Hypograph(x[0], context);

    /// <summary>The hypograph variable t ≤ √x.</summary>
    private static LinearForm Hypograph(LinearForm x, CanonContext context)
    {
        var t = context.NewVariable(x.Shape);
        var one = LinearForm.Scalar(1);
        context.SecondOrderElementwise(LinearForm.Add(x, one), LinearForm.Add(x, one, -1), t.Scale(2));
        return t;
    }
}
