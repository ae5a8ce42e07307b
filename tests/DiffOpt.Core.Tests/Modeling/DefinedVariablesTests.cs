using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// <see cref="DefinedVariables"/>: which variables the QP route eliminates, and that the reduced QP gives the same
/// solution and gradients as the cone route, which solves the full program.
/// </summary>
public class DefinedVariablesTests
{
    [Fact]
    public void LeastSquaresResiduals_AreEliminated_ButConstrainedVariablesAreNot()
    {
        var x = new Variable(6, "x");
        var A = new Parameter(9, 6, "A");
        var b = new Parameter(9, "b");
        var nnls = Problem.Minimize(SumSquares(A * x - b), x >= 0).Compile();
        Assert.Equal(15, nnls.VariableCount);
        Assert.Equal(6, nnls.DefinedVariables?.Kept);

        // x occurs in the simplex equality and in x >= 0: nothing to eliminate.
        var y = new Parameter(6, "y");
        Assert.Null(Problem.Minimize(SumSquares(x - y), Sum(x) == 1, x >= 0).Compile().DefinedVariables);
        // A parametric coefficient on the would-be defined variable does not qualify.
        var scale = new Parameter(6, "s");
        var z = new Variable(6, "z");
        var scaled = Problem.Minimize(SumSquares(z) + Sum(x), Multiply(scale, z) == x - y, x >= 0).Compile();
        Assert.Null(scaled.DefinedVariables);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReducedQp_MatchesTheConeRoute_InSolutionAndGradients(bool sharedA)
    {
        var x = new Variable(5, "x");
        var A = new Parameter(8, 5, "A");
        var b = new Parameter(8, "b");
        // A defined residual, an extra equality on x and an inequality: every block of the reduced QP is present.
        var problem = Problem.Minimize(SumSquares(A * x - b) + 0.5 * Sum(x), Sum(x) == 2, x >= -0.1);
        Assert.NotNull(problem.Compile().DefinedVariables);
        var random = new Random(21);
        var values = new[] { sharedA ? LayerChecks.Randn(random, 8, 5) : LayerChecks.Randn(random, 3, 8, 5), LayerChecks.Randn(random, 3, 8) };
        var weights = LayerChecks.Randn(random, 3, 5);
        (Tensor X, Tensor[] Grads) Run(bool qp)
        {
            using var layer = new ConvexLayer(problem, [A, b], [x], LayerChecks.Tight with { UseQpSolver = qp });
            var leaves = values.Select(v => v.clone().requires_grad_()).ToArray();
            var got = layer.forward(leaves)[0];
            (got * weights).sum().backward();
            return (got.detach(), leaves.Select(l => l.grad!).ToArray());
        }
        var (qpX, qpGrads) = Run(qp: true);
        var (coneX, coneGrads) = Run(qp: false);
        Assert.True((qpX - coneX).abs().max().item<double>() < 1e-7);
        for (int k = 0; k < 2; k++)
            Assert.True((qpGrads[k] - coneGrads[k]).abs().max().item<double>() < 1e-6, $"gradient of parameter {k}");
    }

    /// <summary>
    /// NNLS, min ‖Ax − b‖² s.t. x ≥ 0: the residual t = Ax − b is eliminated (the QP solver sees n = 6, not 15), and
    /// the gradients of A and b through the substitution match central finite differences, with a batch of 3, some
    /// bounds active and some not; A per item or shared.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EliminatedResiduals_GradientsMatchCentralDifferences(bool sharedA)
    {
        var x = new Variable(6, "x");
        var A = new Parameter(9, 6, "A");
        var b = new Parameter(9, "b");
        var problem = Problem.Minimize(SumSquares(A * x - b), x >= 0);
        var program = problem.Compile();
        Assert.Equal(15, program.VariableCount);
        Assert.Equal(6, program.DefinedVariables?.Kept);

        using var layer = new ConvexLayer(problem, [A, b], [x], LayerChecks.Tight);
        Assert.True(layer.IsQp && layer.Options.UseQpSolver);
        var random = new Random(sharedA ? 41 : 40);
        var values = new[] { sharedA ? LayerChecks.Randn(random, 9, 6) : LayerChecks.Randn(random, 3, 9, 6), LayerChecks.Randn(random, 3, 9) };
        var got = layer.forward(values)[0];
        Assert.True(got.min().item<double>() > -1e-9);
        Assert.True(ScalarSafeOperations.With(1e-9, got.lt).any().item<bool>(), "no active bound");
        Assert.True(ScalarSafeOperations.With(1e-2, got.gt).any().item<bool>(), "no inactive bound");
        LayerChecks.FiniteDifferencesMatch(layer, values, seed: sharedA ? 43 : 42);
    }
}
