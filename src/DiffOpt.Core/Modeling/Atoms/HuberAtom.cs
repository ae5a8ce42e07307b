namespace DiffOpt.Modeling;

/// <summary>
/// <c>Huber(x, M)</c> elementwise: x² for |x| ≤ M, 2M|x| − M² otherwise (cvxpy's definition; M &gt; 0);
/// convex, nonnegative, increasing for x ≥ 0, decreasing for x ≤ 0.
/// </summary>
public sealed class HuberAtom : FunctionAtom
{
    internal HuberAtom(Expression x, double m) : base(x, Curvature.Convex, Monotonicity.ByArgumentSign, Sign.Nonnegative, elementwise: true)
    {
        Require(m > 0 && double.IsFinite(m), $"Huber('{x}', {m}): M must be positive and finite.", nameof(m));
        M = m;
    }

    /// <summary>The threshold M.</summary>
    public double M { get; }

    /// <inheritdoc />
    public override string Name => "Huber";

    /// <summary>Prints "Huber(x, M)".</summary>
    public override string ToString() => $"Huber({Args[0]}, {M.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>x = s + n, value w + 2M·a with w ≥ n² (second-order cones) and a ≥ |s|: min over the split is the Huber function.</summary>
    internal static LinearForm Canonicalize(HuberAtom atom, LinearForm[] x, CanonContext context)
    {
        var n = context.NewVariable(atom.Shape);
        var s = context.NewVariable(atom.Shape);
        var w = context.NewVariable(atom.Shape);
        var a = context.NewVariable(atom.Shape);
        var one = LinearForm.Scalar(1);
        context.Zero(LinearForm.Add(x[0], LinearForm.Add(n, s), -1));
        context.SecondOrderElementwise(LinearForm.Add(one, w), LinearForm.Add(one, w, -1), n.Scale(2));
        context.AbsoluteBound(s, a);
        return LinearForm.Add(w, a, 2 * atom.M);
    }
}
