namespace DiffOpt.ML;

/// <summary>
/// Progress of <see cref="QpLayerTrainer"/>: after one epoch (<see cref="IsEpochEnd"/>), or within a long epoch after
/// <see cref="BatchesCompleted"/> of its <see cref="BatchCount"/> mini-batches (see <see cref="QpTrainingMonitor"/>).
/// </summary>
/// <param name="Epoch">The epoch (from 1), or 0 for the initial model (<see cref="QpTrainingMonitor.IncludeEpochZero"/>).</param>
/// <param name="NumberOfEpochs">The number of epochs requested.</param>
/// <param name="TrainingLoss">The loss (without the L1 penalty) averaged over the epoch's training rows seen so far (epoch 0: the
/// initial model's loss on all training rows).</param>
/// <param name="ValidationLoss">The loss on the validation data after the epoch, or null without validation data or within an epoch.</param>
/// <param name="Elapsed">Time since training started (validation and earlier epoch callbacks included).</param>
/// <param name="EpochTrainingTime">Time spent on this epoch's mini-batches so far (forward, backward and optimizer steps).</param>
public sealed record QpTrainingProgress(int Epoch, int NumberOfEpochs, double TrainingLoss, double? ValidationLoss, TimeSpan Elapsed,
    TimeSpan EpochTrainingTime)
{
    /// <summary>
    /// Mini-batches of this epoch done so far (all of them at the end of an epoch). Epoch 0's batches are the forward
    /// passes over the training rows that measure the initial loss.
    /// </summary>
    public int BatchesCompleted { get; init; }

    /// <summary>Mini-batches in an epoch.</summary>
    public int BatchCount { get; init; }

    /// <summary>True for the report at the end of an epoch (and for epoch 0); false within an epoch.</summary>
    public bool IsEpochEnd => BatchesCompleted == BatchCount;

    /// <summary>A one-line summary, as written to ML.NET's log channel.</summary>
    public override string ToString() => !IsEpochEnd
        ? $"Epoch {Epoch}/{NumberOfEpochs}: batch {BatchesCompleted}/{BatchCount}, training loss so far {TrainingLoss:G6}, elapsed {Elapsed.TotalSeconds:F1} s"
        : $"Epoch {Epoch}/{NumberOfEpochs}: training loss {TrainingLoss:G6}" +
        (ValidationLoss is { } v ? $", validation loss {v:G6}" : "") +
        $", epoch {EpochTrainingTime.TotalSeconds:F1} s, elapsed {Elapsed.TotalSeconds:F1} s";
}
