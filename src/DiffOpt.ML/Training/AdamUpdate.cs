using DiffOpt.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>Adam (Kingma and Ba, 2015, Algorithm 1) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8, TorchSharp's defaults.</summary>
internal sealed class AdamUpdate(IEnumerable<Parameter> parameters, double learningRate) : ParameterUpdate(parameters, learningRate, 2)
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor gradient, Tensor[] state, int step)
    {
        var (mean, square) = (state[0], state[1]);
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
        using var beta1 = Beta1.ToScalar();
        using var keep1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var keep2 = (1 - Beta2).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var root2 = Math.Sqrt(correction2).ToScalar();
        using var stepSize = (-LearningRate / correction1).ToScalar();
        mean.mul_(beta1).add_(gradient, keep1);
        square.mul_(beta2).addcmul_(gradient, gradient, keep2);
        using var denominator = square.sqrt().div_(root2).add_(epsilon, ScalarSafeOperations.One);
        parameter.addcdiv_(mean, denominator, stepSize);
    }
}
