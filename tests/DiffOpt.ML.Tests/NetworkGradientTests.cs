using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Tests;

/// <summary>
/// The gradients the trainer follows are the true derivatives of the built-in networks' outputs: autograd against
/// central finite differences (float64) of a fixed random linear functional of the outputs, for every parameter.
/// </summary>
public class NetworkGradientTests
{
    public static TheoryData<string> Models => new() { "equality", "total-variation", "adaptive-total-variation", "generic" };

    [Theory]
    [MemberData(nameof(Models))]
    public void ParameterGradients_MatchCentralDifferences(string kind)
    {
        using var scope = NewDisposeScope();
        QpModel model = kind switch
        {
            "equality" => new EqualityConstrainedQpModel { EqualityCount = 2 },
            "total-variation" => new TotalVariationQpModel { DifferenceInit = DifferenceOperatorInit.Random, InitialRegularization = 0.3 },
            "adaptive-total-variation" => new TotalVariationQpModel
            {
                DifferenceInit = DifferenceOperatorInit.Random, InitialRegularization = 0.3, LearnAdaptiveWeights = true,
            },
            _ => new GenericQpModel { InequalityCount = 3, EqualityCount = 1 },
        };
        const int n = 5;
        var options = new QpSolverOptions { Tolerance = 1e-11, RelativeTolerance = 0 };
        using var network = model.CreateNetwork(new NetworkContext(n, n, ScalarType.Float64, Seed: 3, options));
        random.manual_seed(4);
        var x = rand(4, n, dtype: ScalarType.Float64);
        var weights = randn(4, n, dtype: ScalarType.Float64);
        Tensor Objective() => network.call(x).mul(weights).sum();

        network.zero_grad();
        Objective().backward();
        foreach (var (name, parameter) in network.named_parameters().Where(p => p.parameter.requires_grad))
        {
            var analytic = parameter.grad!.flatten();
            var flat = parameter.detach().view(-1);
            var entries = Math.Min(flat.shape[0], 3);
            for (var i = 0; i < entries; i++)
            {
                const double step = 1e-6;
                double Evaluate(double delta)
                {
                    using var noGrad = no_grad();
                    flat[i] = flat[i].Plus(delta);
                    var value = Objective().item<double>();
                    flat[i] = flat[i].Minus(delta);
                    return value;
                }
                var numeric = (Evaluate(step) - Evaluate(-step)) / (2 * step);
                var exact = analytic[i].item<double>();
                Assert.True(Math.Abs(numeric - exact) <= 1e-4 * (1 + Math.Abs(numeric)),
                    $"{kind}: d/d{name}[{i}] autograd {exact} vs finite difference {numeric}");
            }
        }
    }
}
