using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>What a registered module factory is told when the trainer (or a model load) asks it for a module.</summary>
/// <param name="FeatureSize">Length d of the feature vector: the module's input is (B, d).</param>
/// <param name="OutputSize">Length n of the label vector: the module's output must be (B, n).</param>
/// <param name="DType">Precision of the inputs (float32 or float64); the trainer also converts the module to it.</param>
/// <param name="SolverOptions">The QP solver options chosen in the trainer's options, for any QP layer inside.</param>
public sealed record ModuleFactoryContext(int FeatureSize, int OutputSize, ScalarType DType, QpSolverOptions SolverOptions);
