using DiffOpt.ML.Training;
using DiffOpt.Native;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests;

/// <summary>
/// The trainers' parameter updates (<see cref="ParameterUpdate"/>) against TorchSharp's own optimizers with the same
/// settings: the same parameters after several steps on the same loss.
/// </summary>
public sealed class ParameterUpdateTests
{
    public static TheoryData<QpLayerOptimizer> Optimizers => [QpLayerOptimizer.Adam, QpLayerOptimizer.Sgd, QpLayerOptimizer.RmsProp];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Steps_MatchTorchSharpsOptimizer(QpLayerOptimizer kind)
    {
        // L(w, b) = Σ (Xw + b − y)², a different gradient at every step; one parameter without a gradient is left alone.
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var x = randn([16, 5], float64, generator: generator);
        var y = randn([16], float64, generator: generator);
        var start = randn([5], float64, generator: generator);
        (Parameter W, Parameter B, Parameter Unused) Fresh() =>
            (new Parameter(start.clone()), new Parameter(zeros(1, float64)), new Parameter(ones(3, float64)));
        var ours = Fresh();
        var theirs = Fresh();
        using var update = OptimizerFactory.Create(kind, [ours.W, ours.B, ours.Unused], 0.05);
        using var optimizer = kind switch
        {
            QpLayerOptimizer.Adam => optim.Adam([theirs.W, theirs.B, theirs.Unused], 0.05),
            QpLayerOptimizer.Sgd => optim.SGD([theirs.W, theirs.B, theirs.Unused], 0.05),
            _ => (optim.Optimizer)optim.RMSProp([theirs.W, theirs.B, theirs.Unused], 0.05),
        };
        Tensor Loss((Parameter W, Parameter B, Parameter Unused) p)
        {
            var r = x.matmul(p.W).Plus(p.B).PlusScaled(y, -1);
            return (r * r).sum();
        }
        for (int step = 0; step < 6; step++)
        {
            update.ZeroGrad();
            Loss(ours).backward();
            update.Step();
            optimizer.zero_grad();
            Loss(theirs).backward();
            optimizer.step();
        }
        Assert.True(ours.W.PlusScaled(start, -1).abs().max().item<double>() > 1e-3, "the parameters moved");
        Assert.Equal(0.0, ours.W.PlusScaled(theirs.W, -1).abs().max().item<double>(), 1e-14);
        Assert.Equal(0.0, ours.B.PlusScaled(theirs.B, -1).abs().max().item<double>(), 1e-14);
        Assert.Equal(ones(3, float64).data<double>().ToArray(), ours.Unused.data<double>().ToArray());
    }
}
