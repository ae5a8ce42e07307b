using TorchSharp.Modules;

namespace DiffOpt.ML.Training;

/// <summary>Creates the parameter update named by <see cref="QpLayerOptimizer"/>.</summary>
internal static class OptimizerFactory
{
    public static ParameterUpdate Create(QpLayerOptimizer optimizer, IEnumerable<Parameter> parameters, double learningRate) => optimizer switch
    {
        QpLayerOptimizer.Adam => new AdamUpdate(parameters, learningRate),
        QpLayerOptimizer.Sgd => new SgdUpdate(parameters, learningRate),
        QpLayerOptimizer.RmsProp => new RmsPropUpdate(parameters, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "Unknown QpLayerOptimizer."),
    };
}
