using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>Everything about a trained QP-layer model except its weights: what is saved next to them.</summary>
internal sealed record QpLayerModelInfo(string FeatureColumnName, string ScoreColumnName, int FeatureSize, int OutputSize,
    QpModel Model, QpLayerPrecision Precision, QpSolverOptions SolverOptions)
{
    public ScalarType DType => Precision == QpLayerPrecision.Float32 ? ScalarType.Float32 : ScalarType.Float64;

    /// <summary>The context the network is built from (the seed only matters before weights are trained or loaded).</summary>
    public NetworkContext NetworkContext(int seed, Microsoft.ML.Runtime.IHostEnvironment environment) =>
        new(FeatureSize, OutputSize, DType, seed, SolverOptions, environment);
}
