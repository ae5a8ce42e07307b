using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using TorchSharp;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>The README's "Using ConvexLayer" example: a problem written, a layer built and trained for a few steps.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TrainingThroughTheLayer_ReducesTheLoss()
    {
        manual_seed(0);
        var x = new Variable(8, "x");
        var A = new Parameter(12, 8, "A");
        var b = new Parameter(12, "b");
        var problem = Problem.Minimize(SumSquares(A * x - b) + 0.1 * Norm1(x), x >= 0);
        using var layer = new ConvexLayer(problem, [A, b], [x]);

        var trueA = randn(12, 8, dtype: float64);
        var Ahat = new TorchSharp.Modules.Parameter(trueA.Plus(randn(12, 8, dtype: float64).Times(0.5)));
        var optimizer = optim.Adam([Ahat], lr: 0.05);
        var losses = new List<double>();
        var bs = randn(16, 12, dtype: float64);
        Tensor target;
        using (no_grad()) target = layer.forward(trueA, bs)[0];
        for (int step = 0; step < 15; step++)
        {
            var loss = (layer.forward(Ahat, bs)[0] - target).pow(ScalarSafeOperations.Two).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<double>());
        }

        Assert.True(losses[^1] < 0.5 * losses[0], string.Join(", ", losses.Select(l => l.ToString("G3"))));
    }
}
