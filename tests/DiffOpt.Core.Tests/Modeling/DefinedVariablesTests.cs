using DiffOpt.Layers;
using DiffOpt.Modeling;
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
}
