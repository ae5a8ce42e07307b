using DiffOpt.Layers;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Layers;

/// <summary>The module form <see cref="QpLayer"/> and the autograd bookkeeping of <see cref="QpFunction"/>.</summary>
public class QpLayerTests
{
    [Fact]
    public void Forward_GivesSameSolutionAndGradientsAsQpFunction()
    {
        var random = new ProblemGenerator(401);
        var point = QpTensors.Stack(Enumerable.Range(0, 3).Select(_ => random.Planted(5, 7, 2, 1).Problem).ToList(), shared: QpArg.G);
        var weights = FiniteDifferences.RandomWeights(point, random);
        var options = new QpSolverOptions { Tolerance = 1e-10 };

        var viaFunction = point.Leaves(QpTensors.AllArgs);
        var zFunction = viaFunction.Apply(options);
        (zFunction * weights).sum().backward();

        using var layer = new QpLayer(options);
        var viaLayer = point.Leaves(QpTensors.AllArgs);
        var zLayer = layer.forward(viaLayer.Q, viaLayer.P, viaLayer.G, viaLayer.H, viaLayer.A, viaLayer.B);
        (zLayer * weights).sum().backward();

        Assert.Same(options, layer.Options);
        Assert.Equal(0.0, (zFunction - zLayer).abs().max().item<double>());
        foreach (var arg in QpTensors.AllArgs)
            Assert.Equal(0.0, (viaFunction[arg]!.grad! - viaLayer[arg]!.grad!).abs().max().item<double>());
    }

    [Fact]
    public void Apply_LeavesGradNull_ForInputsThatDoNotRequireGrad()
    {
        var random = new ProblemGenerator(402);
        var point = QpTensors.Single(random.Planted(4, 6, 2, 1).Problem);
        var weights = FiniteDifferences.RandomWeights(point, random);

        // Asserts a null .grad for every argument not listed.
        var grads = FiniteDifferences.Gradients(point, weights, QpSolverOptions.Default, QpArg.P, QpArg.H);

        Assert.Equal([QpArg.P, QpArg.H], grads.Keys.Order());
    }

    [Fact]
    public void Apply_ReturnsTensorNotRequiringGrad_WhenNoInputRequiresGrad()
    {
        var random = new ProblemGenerator(403);
        var point = QpTensors.Single(random.Feasible(4, 6, 1).Problem);

        var z = point.Apply();

        Assert.False(z.requires_grad);
        Assert.Equal(point.Solve().X.shape, z.shape);
    }

    [Fact]
    public void Apply_GivesGradientOnlyToP_WhenConstraintsAreAbsent()
    {
        var random = new ProblemGenerator(404);
        var q = random.Quadratic(4, Curvature.PositiveDefinite);
        var point = QpTensors.Single(QpInstance.Unconstrained(q, random.NormalVector(4)));
        var weights = FiniteDifferences.RandomWeights(point, random);

        var grads = FiniteDifferences.Gradients(point, weights, QpSolverOptions.Default, QpArg.Q, QpArg.P);

        // z = −Q⁻¹p: ∇p = −Q⁻¹w, ∇Q = sym(∇p zᵀ).
        var w = QpTensors.ToVector(weights[0]);
        var gradP = -q.Solve(w);
        VectorAssert.Close(gradP, QpTensors.ToVector(grads[QpArg.P]), 1e-9, "∇p = −Q⁻¹w");
        var z = -q.Solve(QpTensors.ToVector(point.P));
        var gradQ = 0.5 * (gradP.OuterProduct(z) + z.OuterProduct(gradP));
        VectorAssert.Close(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(gradQ.ToRowMajorArray()),
            QpTensors.ToVector(grads[QpArg.Q].flatten()), 1e-9, "∇Q = ½(∇p zᵀ + z ∇pᵀ)");
    }
}
