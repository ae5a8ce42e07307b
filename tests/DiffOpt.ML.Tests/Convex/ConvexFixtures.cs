using DiffOpt.ML.RoundTripHelper;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.ML.Tests.Convex;

/// <summary>
/// The box-and-ball projection used by the convex transform tests: x = argmin ‖x − a‖² over 0 ≤ x ≤ 1 and
/// y = argmin ‖y − b‖² over ‖y‖₂ ≤ 1, whose solutions are known in closed form (clip(a, 0, 1) and b / max(1, ‖b‖)).
/// </summary>
internal sealed class BoxBallProblem
{
    public Parameter A { get; } = new(3, "a");
    public Parameter B { get; } = new(2, "b");
    public Variable X { get; } = new(3, "x");
    public Variable Y { get; } = new(2, "y");

    public Problem Problem { get; }

    public BoxBallProblem() =>
        Problem = Problem.Minimize(SumSquares(X - A) + SumSquares(Y - B), X >= 0, X <= 1, Norm2(Y) <= 1);

    /// <summary>Options reading a from column "A" and b from "B" (RoundTripRow's columns), writing "X", "Y", "Status".</summary>
    public ConvexSolvingEstimator.Options Options => new()
    {
        Problem = Problem,
        Inputs = [new ParameterColumn("A", A), new ParameterColumn("B", B)],
        Outputs = [new VariableColumn("X", X), new VariableColumn("Y", Y)],
    };

    public static double[] ExpectedX(float[] a) => a.Select(v => Math.Clamp((double)v, 0, 1)).ToArray();

    public static double[] ExpectedY(float[] b)
    {
        double norm = Math.Sqrt(b.Sum(v => (double)v * v));
        return b.Select(v => v / Math.Max(1, norm)).ToArray();
    }

    public static List<RoundTripRow> Rows(int count, int seed) => RoundTripRow.Generate(count, seed);
}
