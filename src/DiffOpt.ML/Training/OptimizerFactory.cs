using TorchSharp;
using TorchSharp.Modules;

namespace DiffOpt.ML.Training;

/// <summary>Creates the TorchSharp optimizer named by <see cref="QpLayerOptimizer"/>.</summary>
internal static class OptimizerFactory
{
    public static torch.optim.Optimizer Create(QpLayerOptimizer optimizer, IEnumerable<Parameter> parameters, double learningRate) => optimizer switch
    {
        QpLayerOptimizer.Adam => torch.optim.Adam(parameters, learningRate),
        QpLayerOptimizer.Sgd => torch.optim.SGD(parameters, learningRate),
        QpLayerOptimizer.RmsProp => torch.optim.RMSProp(parameters, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "Unknown QpLayerOptimizer."),
    };
}
