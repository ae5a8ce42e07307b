namespace Denoising.Model;

/// <summary>How the learned difference matrix D starts.</summary>
public enum DenoisingInit
{
    /// <summary>D = the first-difference matrix and λ the tuned total-variation weight (the paper's fine-tuned layer).</summary>
    TotalVariation,

    /// <summary>D random (the paper: 0.3·randn, λ fixed, L1 penalty on D).</summary>
    Random,
}

/// <summary>
/// The learned total-variation layer of OptNet's denoising experiment (Amos &amp; Kolter 2017, sec. 4.2):
/// z = argmin ½‖z − x‖² + λ‖Dz‖₁ with D (99 x 100) learned, trained with Adam on the MSE to the clean signal.
/// </summary>
public sealed record DenoisingTrainingOptions
{
    /// <summary>Start of D. Default <see cref="DenoisingInit.TotalVariation"/>.</summary>
    public DenoisingInit Init { get; init; } = DenoisingInit.TotalVariation;

    /// <summary>λ; null means: tune it on the training split as <c>tv-baseline --sweep</c> does.</summary>
    public double? Lambda { get; init; }

    /// <summary>Training epochs. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size. Default 150 (the paper's).</summary>
    public int BatchSize { get; init; } = 150;

    /// <summary>Adam learning rate; null: the paper's (1e-4 from TV, 1e-2 from random).</summary>
    public double? LearningRate { get; init; }

    /// <summary>L1 penalty on D when starting from random. Default 0.1 (the paper's).</summary>
    public double DPenalty { get; init; } = 0.1;

    /// <summary>Seed. Default 0.</summary>
    public int Seed { get; init; }
}
