using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// <see cref="AliasSubstitution"/>: a cone row that repeats the expression of a quadratic objective term's alias u = r
/// is written on u. Checked against the same problem written with u as a user variable (whose cone rows keep r), by
/// the compiled rows, x*, the duals, and gradients by central differences.
/// </summary>
public class AliasSubstitutionTests
{
    // Wider than tall, as the portfolio layer's F: ‖Fw − b‖² is then kept on an alias u = Fw − b.
    private static readonly double[,] F = { { 1.0, -0.5, 0.3, 0.0, 0.7 }, { 0.2, 0.9, -0.4, 0.6, 0.1 }, { -0.3, 0.4, 0.8, -0.2, 0.5 } };

    private const int Rows = 3;

    /// <summary>
    /// maximize μᵀw − ‖Fw − b‖² − 0.1‖w‖² s.t. Σw = 1, w ≥ 0, ‖b − Fw‖₂ ≤ 0.3 (the portfolio layer's form with an offset
    /// b, the norm's argument negated, and a ridge term that makes x* unique and well conditioned), and the same with a
    /// user variable u == Fw − b in the objective, whose cone keeps b − Fw.
    /// </summary>
    private static (Problem Problem, Parameter Mu, Parameter B, Variable W, Constraint Bound) Portfolio(bool userAlias)
    {
        var w = new Variable(5, "w");
        var mu = new Parameter(5, "mu");
        var b = new Parameter(Rows, "b");
        var f = new Constant(F);
        var bound = Norm2(b - f * w) <= 0.3;
        if (!userAlias) return (Problem.Maximize(mu * w - SumSquares(f * w - b) - 0.1 * SumSquares(w), Sum(w) == 1, w >= 0, bound), mu, b, w, bound);
        var u = new Variable(Rows, "u");
        return (Problem.Maximize(mu * w - SumSquares(u) - 0.1 * SumSquares(w), u == f * w - b, Sum(w) == 1, w >= 0, bound), mu, b, w, bound);
    }

    [Fact]
    public void RepeatedExpression_BecomesOneEntryPerConeRow()
    {
        var aliased = Portfolio(userAlias: false).Problem.Compile();
        var written = Portfolio(userAlias: true).Problem.Compile();
        Assert.Equal(written.VariableCount, aliased.VariableCount);   // the alias u is the canonicaliser's column
        Assert.Equal(written.RowCount, aliased.RowCount);
        int n = aliased.VariableCount, first = aliased.RowCount - 1 - Rows;   // the second-order cone (t; Fw − b) comes last
        Assert.IsType<SecondOrderCone>(aliased.Cones[^1]);
        int[] Columns(ParametricConeProgram program, int row) =>
            program.A.Coefficients.Where(c => c.Entry / n == row).Select(c => (int)(c.Entry % n)).Distinct().ToArray();
        for (int row = first + 1; row < aliased.RowCount; row++)
        {
            Assert.Equal([5 + (row - first - 1)], Columns(aliased, row));   // u_i, w's 5 columns first
            int i = row - first - 1;
            Assert.Equal(Enumerable.Range(0, 5).Where(j => F[i, j] != 0), Columns(written, row).Order());   // the user's form keeps Fw
        }
        Assert.True(aliased.A.Support.Count < written.A.Support.Count);
    }

    [Fact]
    public void SolutionDualAndGradients_MatchTheFormWithoutSubstitution()
    {
        var random = new Random(11);
        // Two items: μ large enough that the norm bound is active in one, and a b that moves the centre.
        var mu = tensor(new double[] { 0.9, -0.2, 0.4, 0.1, -0.3, 0.1, 0.05, -0.1, 0.2, 0.0 }, [2, 5], float64);
        var b = LayerChecks.Randn(random, 2, Rows).Times(0.1);
        var (aliased, muA, bA, wA, boundA) = Portfolio(userAlias: false);
        var (written, muW, bW, wW, boundW) = Portfolio(userAlias: true);
        using var layer = new ConvexLayer(aliased, [muA, bA], [wA], LayerChecks.Tight, duals: [boundA]);
        using var reference = new ConvexLayer(written, [muW, bW], [wW], LayerChecks.Tight, duals: [boundW]);
        var leaves = new[] { mu.clone().requires_grad_(), b.clone().requires_grad_() };
        var referenceLeaves = new[] { mu.clone().requires_grad_(), b.clone().requires_grad_() };
        var got = layer.forward(leaves);
        var expected = reference.forward(referenceLeaves);
        Assert.All(layer.LastStatus, s => Assert.Equal(SolverStatus.Solved, s));
        // Both forms are solved to the solvers' tolerance (1e-11 relative residuals); on this program (an active second-order
        // cone, a bound at zero) that leaves x* within about 1e-7 of the optimum.
        Assert.True((got[0] - expected[0]).abs().max().item<double>() < 1e-6, $"x* {got[0].Show()} vs {expected[0].Show()}");
        Assert.True((got[1] - expected[1]).abs().max().item<double>() < 1e-5, $"dual {got[1].Show()} vs {expected[1].Show()}");
        Assert.True(got[1].max().item<double>() > 1e-3, "the norm bound is active in some item");
        var weights = LayerChecks.RandomLike(got[0], random);
        (got[0] * weights).sum().backward();
        (expected[0] * weights).sum().backward();
        for (int k = 0; k < 2; k++)
            Assert.True((leaves[k].grad! - referenceLeaves[k].grad!).abs().max().item<double>() < 1e-5 * (1 + referenceLeaves[k].grad!.abs().max().item<double>()),
                $"gradient {k}: {leaves[k].grad!.Show()} vs {referenceLeaves[k].grad!.Show()}");
        LayerChecks.FiniteDifferencesMatch(layer, [mu, b], seed: 4, tolerance: 1e-4, step: 3e-3, fourthOrder: true);
    }

    [Fact]
    public void QuadraticProgram_KeepsItsRows_SoTheAliasStaysEliminable()
    {
        // Only zero and nonnegative cones: the QP route eliminates u = Ax − b, which a substitution would prevent.
        var x = new Variable(3, "x");
        var A = new Parameter(4, 3, "A");
        var b = new Parameter(4, "b");
        var program = Problem.Minimize(SumSquares(A * x - b), A * x - b <= 1).Compile();
        Assert.NotNull(program.DefinedVariables);
    }
}
