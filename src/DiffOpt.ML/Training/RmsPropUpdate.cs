using DiffOpt.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>RMSProp (Hinton's lecture 6e) with α = 0.99 and ε = 1e-8, TorchSharp's defaults (no momentum, not centred).</summary>
internal sealed class RmsPropUpdate(IEnumerable<Parameter> parameters, double learningRate) : ParameterUpdate(parameters, learningRate, 1)
{
    private const double Alpha = 0.99, Epsilon = 1e-8;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor gradient, Tensor[] state, int step)
    {
        var square = state[0];
        using var alpha = Alpha.ToScalar();
        using var keep = (1 - Alpha).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var stepSize = (-LearningRate).ToScalar();
        square.mul_(alpha).addcmul_(gradient, gradient, keep);
        using var denominator = square.sqrt().add_(epsilon, ScalarSafeOperations.One);
        parameter.addcdiv_(gradient, denominator, stepSize);
    }
}
