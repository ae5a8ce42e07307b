namespace Denoising.Baseline;

/// <summary>Settings of the fully connected baseline; defaults are OptNet's (Adam lr 1e-3, batch 150, MSE).</summary>
public sealed record FullyConnectedOptions
{
    /// <summary>Training epochs. Default 100.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Mini-batch size. Default 150.</summary>
    public int BatchSize { get; init; } = 150;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Hidden units. Default 1000.</summary>
    public int Hidden { get; init; } = 1000;

    /// <summary>Seed of the initial weights. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be non-negative.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "Hidden must be at least 1.");
    }
}
