using System.Text.Json.Serialization;
using DiffOpt.Qp;

namespace DiffOpt.ML;

/// <summary>
/// The network a <see cref="QpLayerTrainer"/> trains: one of <see cref="EqualityConstrainedQpModel"/>
/// (OptNet's Sudoku model), <see cref="TotalVariationQpModel"/> (learned total-variation denoising),
/// <see cref="GenericQpModel"/> (OptNet's general QP layer after a linear map) or
/// <see cref="RegisteredModuleModel"/> (your own TorchSharp module). Immutable; derive variants with <c>with</c>.
/// Serialises with System.Text.Json (a "$kind" property names the model).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$kind")]
[JsonDerivedType(typeof(EqualityConstrainedQpModel), "EqualityConstrained")]
[JsonDerivedType(typeof(TotalVariationQpModel), "TotalVariation")]
[JsonDerivedType(typeof(GenericQpModel), "Generic")]
[JsonDerivedType(typeof(RegisteredModuleModel), "RegisteredModule")]
public abstract record QpModel
{
    private protected QpModel()
    {
    }

    /// <summary>Checks the hyper-parameters and that the model fits the column sizes.</summary>
    /// <param name="featureSize">Length of the feature vector.</param>
    /// <param name="outputSize">Length of the label (and output) vector.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range or the sizes do not fit; the message names it.</exception>
    internal abstract void Validate(int featureSize, int outputSize);

    /// <summary>Checks that what the model needs from the MLContext (a registered module factory) is there.</summary>
    /// <exception cref="InvalidOperationException">It is not; the message says what to register.</exception>
    internal virtual void CheckAvailable(Microsoft.ML.Runtime.IHostEnvironment environment)
    {
    }

    /// <summary>Creates the untrained network (parameters initialised from <paramref name="context"/>'s seed).</summary>
    internal abstract QpNetwork CreateNetwork(NetworkContext context);
}

/// <summary>What every network factory needs: sizes, precision, seed and the QP solver options.</summary>
internal sealed record NetworkContext(int FeatureSize, int OutputSize, TorchSharp.torch.ScalarType DType, int Seed, QpSolverOptions SolverOptions,
    Microsoft.ML.Runtime.IHostEnvironment? Environment = null);
