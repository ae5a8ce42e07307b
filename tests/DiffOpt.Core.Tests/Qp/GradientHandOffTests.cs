using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// How <see cref="QpFunction.Apply"/> hands its gradients to the arguments (through a same-shape view of each argument
/// that requires grad, so that a leaf takes the gradient without a copy): leaves receive exactly what
/// <c>autograd.grad</c> returns, gradients of repeated calls accumulate, and non-contiguous leaves and calls without
/// grad mode are served as before.
/// </summary>
public class GradientHandOffTests
{
    private static (QpTensors Point, Tensor Weights) Problem(int seed)
    {
        var random = new ProblemGenerator(seed);
        var point = QpTensors.Stack(Enumerable.Range(0, 3).Select(_ => random.Planted(6, 9, 3, 2).Problem).ToList());
        return (point, FiniteDifferences.RandomWeights(point, random));
    }

    private static Tensor[] LeafGradients(QpTensors leaves, Tensor weights)
    {
        (leaves.Apply() * weights).sum().backward();
        return QpTensors.AllArgs.Select(a => leaves[a]!.grad!.detach().clone()).ToArray();
    }

    private static void AssertIdentical(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what}: max |difference| {(expected - actual).abs().max().item<double>():E3}");
    }

    [Fact]
    public void Apply_LeafGradientsAreExactlyThoseAutogradGradReturns()
    {
        var (point, weights) = Problem(301);
        var fromBackward = LeafGradients(point.Leaves(QpTensors.AllArgs), weights);

        var leaves = point.Leaves(QpTensors.AllArgs);
        var inputs = QpTensors.AllArgs.Select(a => leaves[a]!).ToList();
        var fromGrad = autograd.grad(new List<Tensor> { (leaves.Apply() * weights).sum() }, inputs);

        for (int i = 0; i < inputs.Count; i++)
            AssertIdentical(fromGrad[i], fromBackward[i], QpTensors.AllArgs[i].ToString());
        Assert.All(inputs, leaf => Assert.Null(leaf.grad));
    }

    [Fact]
    public void Apply_GradientsOfRepeatedCallsAccumulateInTheLeaves()
    {
        var (point, weights) = Problem(302);
        var once = LeafGradients(point.Leaves(QpTensors.AllArgs), weights);

        var leaves = point.Leaves(QpTensors.AllArgs);
        (leaves.Apply() * weights).sum().backward();
        var first = QpTensors.AllArgs.Select(a => leaves[a]!.grad!.detach().clone()).ToArray();
        (leaves.Apply() * weights).sum().backward();

        // The second pass adds in place to the first pass's gradient (x + x is exact in floating point).
        for (int i = 0; i < once.Length; i++)
        {
            AssertIdentical(once[i], first[i], $"{QpTensors.AllArgs[i]} after one pass");
            AssertIdentical(once[i].Times(2.0), leaves[QpTensors.AllArgs[i]]!.grad!, $"{QpTensors.AllArgs[i]} after two passes");
        }
    }

    [Fact]
    public void Apply_ServesNonContiguousLeavesAndNonLeafArguments()
    {
        var (point, weights) = Problem(303);
        var expected = LeafGradients(point.Leaves(QpTensors.AllArgs), weights);

        // A leaf held with transposed strides (Q is symmetric, so it is the same matrix), and G reaching the function
        // through a product (×1, exact), whose backward passes the gradient on.
        var q = point.Q.detach().clone().transpose(-1, -2).requires_grad_(true);
        var g = point.G!.detach().clone().requires_grad_(true);
        Assert.True(q.is_leaf);
        Assert.False(q.is_contiguous());
        var z = QpFunction.Apply(q, point.P, g.Times(1.0), point.H, point.A, point.B);
        (z * weights).sum().backward();

        AssertIdentical(expected[(int)QpArg.Q], q.grad!, "Q with transposed strides");
        AssertIdentical(expected[(int)QpArg.G], g.grad!, "G through a product");
    }

    [Fact]
    public void Apply_WithoutGradMode_ReturnsASolutionOutsideTheGraph()
    {
        var (point, _) = Problem(304);
        var leaves = point.Leaves(QpTensors.AllArgs);
        using (no_grad())
        {
            var z = leaves.Apply();
            Assert.False(z.requires_grad);
            AssertIdentical(point.Solve().X, z, "z");
        }
    }
}
