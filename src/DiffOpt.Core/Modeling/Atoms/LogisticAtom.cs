namespace DiffOpt.Modeling;

/// <summary><c>Logistic(x)</c> = log(1 + e^x) elementwise; convex, nonnegative, increasing.</summary>
public sealed class LogisticAtom : FunctionAtom
{
    internal LogisticAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Nonnegative, elementwise: true) { }

    /// <inheritdoc />
    public override string Name => "Logistic";

    /// <summary>t with u + v ≤ 1, (−t, 1, u) ∈ K_exp, (x − t, 1, v) ∈ K_exp (so e^{−t} + e^{x−t} ≤ 1).</summary>
    internal static LinearForm Canonicalize(LogisticAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        var u = context.NewVariable(atom.Shape);
        var v = context.NewVariable(atom.Shape);
        context.LessEqual(LinearForm.Add(u, v), LinearForm.Scalar(1));
        context.Exponential(t.Scale(-1), LinearForm.Scalar(1), u);
        context.Exponential(LinearForm.Add(x[0], t, -1), LinearForm.Scalar(1), v);
        return t;
    }
}
