namespace SudokuStructuredPrediction.Baseline;

/// <summary>Settings of the convolutional baseline; defaults are OptNet's (Adam lr 1e-3, batch 150, MSE).</summary>
public sealed record ConvBaselineOptions
{
    /// <summary>Training epochs. Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Mini-batch size. Default 150.</summary>
    public int BatchSize { get; init; } = 150;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Channels of each hidden convolution. Default 512.</summary>
    public int Width { get; init; } = 512;

    /// <summary>Number of hidden convolutions. Default 10.</summary>
    public int Depth { get; init; } = 10;

    /// <summary>Use digits as channels instead of OptNet's layout (see <see cref="SudokuConvNet"/>). Default false.</summary>
    public bool DigitsAsChannels { get; init; }

    /// <summary>Seed of the initial weights. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be non-negative.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be at least 1.");
        if (Depth < 1) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "Depth must be at least 1.");
    }
}
