namespace SudokuStructuredPrediction.Evaluation;

/// <summary>What one training epoch produced.</summary>
/// <param name="Epoch">1-based epoch number (0: before training).</param>
/// <param name="TrainLoss">Mean training loss over the epoch's mini-batches (NaN before training).</param>
/// <param name="Test">Scores on the test boards after the epoch.</param>
/// <param name="Seconds">Wall-clock seconds spent training in this epoch (evaluation excluded).</param>
public sealed record EpochResult(int Epoch, double TrainLoss, SudokuEvaluation Test, double Seconds);
