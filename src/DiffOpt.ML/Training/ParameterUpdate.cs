using DiffOpt.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>
/// A first-order update of a network's parameters (Adam, SGD, RMSProp with TorchSharp's default settings), written with
/// scalars that stay alive for the whole native call. TorchSharp 0.107's own optimizers pass temporary scalars
/// (Adam's <c>mul_(beta1)</c>) that a garbage collection on another thread can free mid-call, which showed as
/// "Unknown scalar type" in <c>Adam.step</c> under the tests' collector stress (docs/guides/concepts.md, TorchSharp's
/// temporary scalars).
/// </summary>
internal abstract class ParameterUpdate : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor?[][] _state;
    private int _steps;

    /// <summary>An update of <paramref name="parameters"/> that keeps <paramref name="stateCount"/> buffers per parameter.</summary>
    protected ParameterUpdate(IEnumerable<Parameter> parameters, double learningRate, int stateCount)
    {
        _parameters = [.. parameters];
        _state = [.. _parameters.Select(_ => new Tensor?[stateCount])];
        LearningRate = learningRate;
    }

    /// <summary>The step size.</summary>
    protected double LearningRate { get; }

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            using var gradient = parameter.grad;
            gradient?.zero_();
        }
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        _steps++;
        using var noGrad = no_grad();
        for (int k = 0; k < _parameters.Length; k++)
        {
            using var gradient = _parameters[k].grad;
            if (gradient is null) continue;
            var state = _state[k];
            for (int j = 0; j < state.Length; j++) state[j] ??= zeros_like(_parameters[k]).DetachFromDisposeScope();
            Update(_parameters[k], gradient, state!, _steps);
        }
    }

    /// <summary>Updates <paramref name="parameter"/> in place from <paramref name="gradient"/> at step <paramref name="step"/> (1-based).</summary>
    protected abstract void Update(Parameter parameter, Tensor gradient, Tensor[] state, int step);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var state in _state)
            foreach (var buffer in state) buffer?.Dispose();
    }
}

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
