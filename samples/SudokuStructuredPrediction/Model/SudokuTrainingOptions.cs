namespace SudokuStructuredPrediction.Model;

/// <summary>
/// The OptNet Sudoku setup (Amos &amp; Kolter 2017, sec. 4.4): z = argmin ½·q‖z‖² − puzzleᵀz subject to
/// Az = A·exp(log z0), z ≥ 0, learning A and log z0; Adam, MSE loss against the one-hot solution.
/// </summary>
public sealed record SudokuTrainingOptions
{
    /// <summary>Training epochs. Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Mini-batch size. Default 150 (the paper's).</summary>
    public int BatchSize { get; init; } = 150;

    /// <summary>Adam learning rate. Default 0.1 (the paper's).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>q in Q = q·I. Default 0.1 (the paper's).</summary>
    public double QuadraticPenalty { get; init; } = 0.1;

    /// <summary>Rows of the learned equality matrix A (40 x 64, uniform [0,1) start). Default 40.</summary>
    public int EqualityCount { get; init; } = 40;

    /// <summary>Seed of the initial A and of anything random in training. Default 0.</summary>
    public int Seed { get; init; }
}
