using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>Plain stochastic gradient descent, TorchSharp's default settings (no momentum).</summary>
internal sealed class SgdUpdate(IEnumerable<Parameter> parameters, double learningRate) : ParameterUpdate(parameters, learningRate, 0)
{
    /// <inheritdoc />
    protected override void Update(Parameter parameter, Tensor gradient, Tensor[] state, int step)
    {
        using var stepSize = (-LearningRate).ToScalar();
        parameter.add_(gradient, stepSize);
    }
}
