using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary><see cref="ConvexLayerOptions.WarmStart"/>: fewer iterations on nearby calls, the same answers and gradients.</summary>
public class ConvexLayerWarmStartTests
{
    private static (Problem Problem, Parameter A, Parameter B, Variable X) Nnls(Parameter? budget = null)
    {
        var x = new Variable(10, "x");
        var A = new Parameter(15, 10, "A");
        var b = new Parameter(15, "b");
        return (Problem.Minimize(SumSquares(A * x - b), x >= 0, budget is null ? Sum(x) <= 3 : Sum(x) <= budget), A, b, x);
    }

    [Fact]
    public void NearbyCalls_TakeFewerIterations_AndGiveTheColdAnswerAndGradient()
    {
        var (problem, A, b, x) = Nnls();
        using var cold = new ConvexLayer(problem, [A, b], [x]);
        using var warm = new ConvexLayer(problem, [A, b], [x], ConvexLayerOptions.Default with { WarmStart = true });
        Assert.True(warm.IsQp);
        var a = LayerChecks.Randn(new Random(1), 15, 10);
        var b0 = LayerChecks.Randn(new Random(2), 16, 15);
        var b1 = b0.Plus(LayerChecks.Randn(new Random(3), 16, 15).Times(1e-4));

        using (NewDisposeScope()) warm.forward(a, b0); // the retained start must outlive the caller's scope
        var leafWarm = b1.clone().requires_grad_(true);
        var xWarm = warm.forward(a, leafWarm)[0];
        int warmIterations = warm.LastIterations.Sum();
        xWarm.sum().backward();

        var leafCold = b1.clone().requires_grad_(true);
        var xCold = cold.forward(a, leafCold)[0];
        int coldIterations = cold.LastIterations.Sum();
        xCold.sum().backward();

        Assert.All(warm.LastStatus, s => Assert.Equal(SolverStatus.Solved, s));
        Assert.True(warmIterations < coldIterations, $"warm {warmIterations} iterations, cold {coldIterations}");
        Assert.True((xWarm - xCold).abs().max().item<double>() < 1e-7, $"x differs by {(xWarm - xCold).abs().max().item<double>():E2}");
        var gradientGap = (leafWarm.grad! - leafCold.grad!).abs().max().item<double>();
        Assert.True(gradientGap < 1e-6, $"gradients differ by {gradientGap:E2}");
    }

    [Fact]
    public void TheConeRoute_StartsFromThePreviousSolution_AndMeetsTheSameTolerance()
    {
        var x = new Variable(6, "x");
        var y = new Parameter(6, "y");
        var problem = Problem.Minimize(-(y * x) - Sum(Entropy(x)), Sum(x) == 1); // softmax(y)
        using var cold = new ConvexLayer(problem, [y], [x]);
        using var warm = new ConvexLayer(problem, [y], [x], ConvexLayerOptions.Default with { WarmStart = true });
        Assert.False(warm.IsQp);
        var y0 = LayerChecks.Randn(new Random(7), 8, 6);
        var y1 = y0.Plus(LayerChecks.Randn(new Random(8), 8, 6).Times(1e-3));

        warm.forward(y0);
        var xWarm = warm.forward(y1)[0];
        var xCold = cold.forward(y1)[0];

        Assert.All(warm.LastStatus, st => Assert.Equal(SolverStatus.Solved, st));
        Assert.True(warm.LastIterations.Sum() < cold.LastIterations.Sum(),
            $"warm {warm.LastIterations.Sum()} iterations, cold {cold.LastIterations.Sum()}");
        // Both meet the solver's tolerance; at the default 1e-8 softmax's x is then within about √gap of the optimum.
        double warmError = (xWarm - softmax(y1, 1)).abs().max().item<double>();
        double coldError = (xCold - softmax(y1, 1)).abs().max().item<double>();
        Assert.True(warmError < 1e-4 && coldError < 1e-4, $"warm error {warmError:E2}, cold error {coldError:E2}");
    }

    [Fact]
    public void ABatchOfAnotherSize_StartsCold_AndAFailedItemDoesNotPoisonTheNextCall()
    {
        var s = new Parameter("s");
        var (problem, A, b, x) = Nnls(s);
        using var cold = new ConvexLayer(problem, [A, b, s], [x]);
        using var warm = new ConvexLayer(problem, [A, b, s], [x], ConvexLayerOptions.Default with { WarmStart = true });
        var a = LayerChecks.Randn(new Random(4), 15, 10);
        var b16 = LayerChecks.Randn(new Random(5), 16, 15);
        var budgets = ScalarSafeOperations.With(3.0, value => full(16, value, dtype: ScalarType.Float64));
        var oneInfeasible = budgets.clone();
        oneInfeasible[3] = -1.0; // Σx ≤ −1 with x ≥ 0: item 3 is infeasible, and its retained point is no solution
        warm.forward(a, b16, oneInfeasible);
        Assert.Equal(SolverStatus.PrimalInfeasible, warm.LastStatus[3]);

        var again = warm.forward(a, b16, budgets)[0];
        Assert.All(warm.LastStatus, st => Assert.Equal(SolverStatus.Solved, st));
        Assert.True((again - cold.forward(a, b16, budgets)[0]).abs().max().item<double>() < 1e-7);

        var b8 = b16.narrow(0, 0, 8);
        var smaller = warm.forward(a, b8, budgets.narrow(0, 0, 8))[0];
        var coldSmaller = cold.forward(a, b8, budgets.narrow(0, 0, 8))[0];
        Assert.Equal(coldSmaller.shape, smaller.shape);
        Assert.Equal(cold.LastIterations, warm.LastIterations); // another batch size: a cold start, iteration for iteration
    }
}
