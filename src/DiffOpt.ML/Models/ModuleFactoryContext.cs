using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>What a registered module factory is told when the trainer (or a model load) asks it for a module.</summary>
/// <param name="FeatureSize">Length d of the feature vector: the module's input is (B, d).</param>
/// <param name="OutputSize">Length n of the label vector: the module's output must be (B, n).</param>
/// <param name="DType">Precision of the inputs (float32 or float64); the trainer also converts the module to it.</param>
/// <param name="SolverOptions">The QP solver options chosen in the trainer's options, for any QP layer inside.</param>
/// <remarks>
/// DiffOpt never reseeds TorchSharp's global random generator. For reproducible training, initialise the module's
/// parameters from <see cref="CreateGenerator"/> (for example <c>nn.init.uniform_(weight, -b, b, generator)</c>);
/// parameters left to TorchSharp's default initialisation draw from the global generator, which only your
/// application should seed.
/// </remarks>
public sealed record ModuleFactoryContext(int FeatureSize, int OutputSize, ScalarType DType, QpSolverOptions SolverOptions)
{
    /// <summary>The trainer's seed (<see cref="QpLayerTrainer.Options.Seed"/>, or one drawn from the MLContext); 0 when loading a saved model.</summary>
    public int Seed { get; init; }

    /// <summary>A new TorchSharp generator seeded with <see cref="Seed"/>, for initialising parameters; the caller disposes it.</summary>
    /// <returns>The generator.</returns>
    public Generator CreateGenerator() => new((ulong)Seed);
}
