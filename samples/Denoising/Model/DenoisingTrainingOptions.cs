namespace Denoising.Model;

/// <summary>How the learned difference matrix D starts.</summary>
public enum DenoisingInit
{
    /// <summary>
    /// D = the first-difference matrix and λ the tuned total-variation weight, both learned (the paper's fine-tuned
    /// layer), with adaptive weights unless <see cref="DenoisingTrainingOptions.AdaptiveWeights"/> is false.
    /// </summary>
    TotalVariation,

    /// <summary>D = 0.3·randn with λ fixed and an L1 penalty on D (the paper's learned-D layer).</summary>
    Random,
}

/// <summary>
/// The learned total-variation layer of OptNet's denoising experiment (Amos &amp; Kolter 2017, sec. 4.2):
/// z = argmin ½‖z − x‖² + λ‖Dz‖₁ with D (99 x 100) learned, trained with Adam on the MSE to the clean signal.
/// From TV, the weight of each difference adapts to the signal by default (see <see cref="AdaptiveWeights"/>).
/// </summary>
public sealed record DenoisingTrainingOptions
{
    /// <summary>The λ of the paper's learned-D layer (fixed there at 13 with D starting at 0.3·randn).</summary>
    public const double PaperRandomInitLambda = 13;

    /// <summary>Start of D. Default <see cref="DenoisingInit.TotalVariation"/>.</summary>
    public DenoisingInit Init { get; init; } = DenoisingInit.TotalVariation;

    /// <summary>
    /// λ at the start (learned from there with <see cref="DenoisingInit.TotalVariation"/>, fixed with
    /// <see cref="DenoisingInit.Random"/>); null: tuned on the training split as <c>tv-baseline --sweep</c> does
    /// (TV start), or the paper's 13 (random start).
    /// </summary>
    public double? Lambda { get; init; }

    /// <summary>
    /// Whether, from TV, each difference gets a learned weight that depends on the noisy signal around it,
    /// λᵢ(x) = λ·exp(c + Σ_{|k|≤4} w_k·|(Dx)ᵢ₊ₖ|) (<c>TotalVariationQpModel.LearnAdaptiveWeights</c>). OptNet's
    /// fine-tuned layer gets its signal dependence from a learned linear term of a general QP; D and λ alone stay
    /// within about 0.1 % of tuned TV on the OptNet data. Default true; ignored from random (the paper's learned-D layer).
    /// </summary>
    public bool AdaptiveWeights { get; init; } = true;

    /// <summary>
    /// When set to k, D stays banded: each difference is a learned stencil of k + 1 neighbouring samples
    /// (<c>TotalVariationQpModel.DifferenceBandwidth</c>; k = 1 keeps the shape of first differences). The layer's
    /// QP then has a banded Q, which the solver factorises in linear time. Default null: D is dense.
    /// </summary>
    public int? DifferenceBandwidth { get; init; }

    /// <summary>Training epochs. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size. Default 150 (the paper's).</summary>
    public int BatchSize { get; init; } = 150;

    /// <summary>Adam learning rate; null: the default of the start (see <see cref="DefaultLearningRate"/>).</summary>
    public double? LearningRate { get; init; }

    /// <summary>L1 penalty on D when starting from random. Default 0.1 (the paper's).</summary>
    public double DPenalty { get; init; } = 0.1;

    /// <summary>Seed of the random start and of the mini-batch order. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>The learning rate used when <see cref="LearningRate"/> is null: 3e-4 from TV, 1e-2 (the paper's) from random.</summary>
    public double DefaultLearningRate => Init == DenoisingInit.TotalVariation ? 3e-4 : 1e-2;
}
