namespace DiffOpt.Modeling;

/// <summary><c>LogSumExp(x)</c> = log Σ e^{x_i} over all entries; convex, increasing.</summary>
public sealed class LogSumExpAtom : FunctionAtom
{
    internal LogSumExpAtom(Expression x) : base(x, Curvature.Convex, Monotonicity.Increasing, Sign.Unknown, elementwise: false) { }

    /// <inheritdoc />
    public override string Name => "LogSumExp";

    /// <summary>t with Σ u_i ≤ 1 and (x_i − t, 1, u_i) ∈ K_exp (so Σ e^{x_i − t} ≤ 1).</summary>
    internal static LinearForm Canonicalize(LogSumExpAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(Shape.Scalar);
        var u = context.NewVariable(x[0].Shape);
        context.LessEqual(u.Sum(), LinearForm.Scalar(1));
        context.Exponential(LinearForm.Add(x[0], t, -1), LinearForm.Scalar(1), u);
        return t;
    }
}
