using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>The example layers of Agrawal et al., "Differentiable convex optimization layers" (2019), against their closed forms.</summary>
public class PaperLayerTests
{
    [Fact]
    public void ReLU_IsProjectionOntoNonnegativeOrthant()
    {
        var x = new Variable(8, "x");
        var y = new Parameter(8, "y");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), x >= 0), [y], [x], LayerChecks.Tight);
        var yv = LayerChecks.Randn(new Random(1), 5, 8);

        var got = layer.forward(yv)[0];

        Assert.True(layer.IsQp);
        Assert.True((got - yv.AtLeast(0L)).abs().max().item<double>() < 1e-7);
        LayerChecks.FiniteDifferencesMatch(layer, [yv], seed: 2);
    }

    [Fact]
    public void Sparsemax_IsProjectionOntoSimplex()
    {
        var x = new Variable(10, "x");
        var y = new Parameter(10, "y");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), Sum(x) == 1, x >= 0), [y], [x], LayerChecks.Tight);
        var yv = LayerChecks.Randn(new Random(3), 4, 10);

        var got = layer.forward(yv)[0];

        Assert.True((got - SimplexProjection(yv)).abs().max().item<double>() < 1e-7);
        LayerChecks.FiniteDifferencesMatch(layer, [yv], seed: 4);
    }

    [Fact]
    public void Softmax_IsEntropyRegularisedArgmax()
    {
        var x = new Variable(6, "x");
        var y = new Parameter(6, "y");
        using var layer = new ConvexLayer(Problem.Minimize(-(y * x) - Sum(Entropy(x)), Sum(x) == 1), [y], [x], LayerChecks.Tight);
        var yv = LayerChecks.Randn(new Random(5), 3, 6);

        var got = layer.forward(yv)[0];

        Assert.False(layer.IsQp);
        // An interior-point gap ε leaves x within about √ε of the optimum of this strongly concave objective.
        Assert.True((got - softmax(yv, 1)).abs().max().item<double>() < 1e-6, $"{(got - softmax(yv, 1)).abs().max().item<double>()}");
        // Gradient of Σ w∘x* against the softmax Jacobian diag(s) − s sᵀ (finite differences would drown in the √ε noise).
        var w = LayerChecks.Randn(new Random(6), 3, 6);
        var leaf = yv.clone().requires_grad_(true);
        (layer.forward(leaf)[0] * w).sum().backward();
        var s = softmax(yv, 1);
        var expected = s * w - s * (s * w).sum(1, keepdim: true);
        Assert.True((leaf.grad! - expected).abs().max().item<double>() < 1e-5, $"{(leaf.grad! - expected).abs().max().item<double>()}");
    }

    [KernelPathFact]
    public void Softmax_AtTheDefaultOptions_IsWithinItsClosedForm()
    {
        // Issue #13, on a batch shaped like the cvxpylayers softmax case (64 × 20): at the default options x close to
        // softmax and the gradient within 1e-5 of the closed form. Measured on that case before the exponential cones'
        // third-order corrector and centring polish (CPU kernel; the tensor path does not polish): x off by 4e-6
        // (median) to 1e-5, the gradient by 1.5e-5; after: 7e-10 (median) to 2.2e-7. On this batch one item of 64
        // stays 3.5e-6 off (the others below 1e-6), so the largest error is held to 1e-5 only.
        var x = new Variable(20, "x");
        var y = new Parameter(20, "y");
        using var layer = new ConvexLayer(Problem.Minimize(-(y * x) - Sum(Entropy(x)), Sum(x) == 1), [y], [x]);
        var yv = LayerChecks.Randn(new Random(13), 64, 20);
        var s = softmax(yv, 1);

        var leaf = yv.clone().requires_grad_(true);
        var got = layer.forward(leaf)[0];
        var w = LayerChecks.Randn(new Random(14), 64, 20);
        (got * w).sum().backward();

        Assert.All(layer.LastStatus, status => Assert.Equal(SolverStatus.Solved, status));
        var errors = (got.detach() - s).abs().max(1).values.data<double>().ToArray();
        Array.Sort(errors);
        Assert.True(errors[32] <= 1e-7, $"median x error {errors[32]:E2}");
        Assert.True(errors[^2] <= 1e-6, $"second largest x error {errors[^2]:E2}");
        Assert.True(errors[^1] <= 1e-5, $"largest x error {errors[^1]:E2}");
        var expected = s * w - s * (s * w).sum(1, keepdim: true);
        double gradient = (leaf.grad! - expected).abs().max().item<double>();
        Assert.True(gradient <= 1e-5, $"gradient error {gradient:E2}");
        // Central differences of the solve itself agree with the backward pass to the accuracy of x: on 8 items, fourth
        // order with step 0.03 (truncation about 1e-6; x off by up to 1e-6 gives about 1e-6 / 0.03).
        LayerChecks.FiniteDifferencesMatch(layer, [yv.narrow(0, 0, 8)], seed: 15, tolerance: 1e-3, step: 3e-2, fourthOrder: true);
    }

    [Fact]
    public void Sigmoid_IsBinaryEntropyRegularisedArgmax()
    {
        var x = new Variable(5, "x");
        var y = new Parameter(5, "y");
        var problem = Problem.Maximize(y * x + Sum(Entropy(x)) + Sum(Entropy(1 - x)));
        using var layer = new ConvexLayer(problem, [y], [x], LayerChecks.Tight);
        var yv = LayerChecks.Randn(new Random(7), 3, 5);

        var got = layer.forward(yv)[0];

        Assert.True((got - sigmoid(yv)).abs().max().item<double>() < 1e-5, $"{(got - sigmoid(yv)).abs().max().item<double>()}");
        var grad = yv.clone().requires_grad_(true);
        layer.forward(grad)[0].sum().backward();
        var s = sigmoid(yv);
        Assert.True((grad.grad! - s * s.SubtractedFrom(1L)).abs().max().item<double>() < 1e-5, $"{(grad.grad! - s * s.SubtractedFrom(1L)).abs().max().item<double>()}");
    }

    /// <summary>Euclidean projection of each row onto the probability simplex (sort-based; Held, Wolfe and Crowder 1974).</summary>
    private static Tensor SimplexProjection(Tensor y)
    {
        var (sorted, _) = y.sort(1, descending: true);
        var cumulative = sorted.cumsum(1).Minus(1L);
        var k = Ranges.Arange(1, y.shape[1] + 1, y.dtype);
        var support = (sorted - cumulative / k).gt(ScalarSafeOperations.Zero);
        var count = support.sum(1, keepdim: true);
        var tau = cumulative.gather(1, count.Minus(1L)) / count.to(y.dtype);
        return (y - tau).AtLeast(0L);
    }
}
