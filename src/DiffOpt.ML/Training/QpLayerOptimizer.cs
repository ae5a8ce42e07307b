namespace DiffOpt.ML;

/// <summary>The optimizer <see cref="QpLayerTrainer"/> updates the network's parameters with.</summary>
public enum QpLayerOptimizer
{
    /// <summary>Adam (Kingma and Ba) with PyTorch's default betas (0.9, 0.999).</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>RMSprop with PyTorch's default smoothing (0.99).</summary>
    RmsProp,
}
