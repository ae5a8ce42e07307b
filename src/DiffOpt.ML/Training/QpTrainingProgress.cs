namespace DiffOpt.ML;

/// <summary>Progress of <see cref="QpLayerTrainer"/> after one epoch.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="NumberOfEpochs">The number of epochs requested.</param>
/// <param name="TrainingLoss">The loss (without the L1 penalty) averaged over the epoch's training rows.</param>
/// <param name="ValidationLoss">The loss on the validation set after the epoch, or null without one.</param>
/// <param name="Elapsed">Time since training started (validation and earlier epoch callbacks included).</param>
/// <param name="EpochTrainingTime">Time spent on this epoch's mini-batches alone (forward, backward and optimizer steps).</param>
public sealed record QpTrainingProgress(int Epoch, int NumberOfEpochs, double TrainingLoss, double? ValidationLoss, TimeSpan Elapsed,
    TimeSpan EpochTrainingTime)
{
    /// <summary>A one-line summary, as written to ML.NET's log channel.</summary>
    public override string ToString() =>
        $"Epoch {Epoch}/{NumberOfEpochs}: training loss {TrainingLoss:G6}" +
        (ValidationLoss is { } v ? $", validation loss {v:G6}" : "") +
        $", epoch {EpochTrainingTime.TotalSeconds:F1} s, elapsed {Elapsed.TotalSeconds:F1} s";
}
