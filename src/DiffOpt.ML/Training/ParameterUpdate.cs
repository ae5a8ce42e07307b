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
