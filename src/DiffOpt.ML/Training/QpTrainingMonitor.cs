namespace DiffOpt.ML;

/// <summary>
/// The runtime companions of one <see cref="QpLayerTrainer.Fit(Microsoft.ML.IDataView, Microsoft.ML.IDataView?, QpTrainingMonitor?)"/>
/// call: where progress goes, what runs after each epoch, and a cancellation token. Kept out of
/// <see cref="QpLayerTrainer.Options"/>, which holds settings only. Inside a pipeline fitted with
/// <c>pipeline.Fit(data)</c>, read progress from <c>mlContext.Log</c> and cancel with <c>mlContext.CancelExecution()</c>.
/// </summary>
public sealed record QpTrainingMonitor
{
    /// <summary>
    /// Receives a <see cref="QpTrainingProgress"/> after every epoch and, within an epoch, every
    /// <see cref="BatchProgressInterval"/> (<see cref="QpTrainingProgress.IsEpochEnd"/> tells them apart), or null.
    /// </summary>
    public IProgress<QpTrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Least time between two reports within an epoch (the first comes after this much time in the epoch, so a short
    /// epoch reports only at its end). Default 5 s; <see cref="TimeSpan.Zero"/> reports after every batch.
    /// </summary>
    public TimeSpan BatchProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Called after every epoch, on the training thread, with the epoch's progress and a snapshot of the model
    /// trained so far (see <see cref="QpTrainingEpoch"/>), or null. Use it to compute your own metric on held-out
    /// data after each epoch, or to keep the best epoch's model (dispose the snapshots you do not keep). Training
    /// waits for it to return; its time is not counted in <see cref="QpTrainingProgress.EpochTrainingTime"/>. An
    /// exception it throws stops training and propagates out of Fit.
    /// </summary>
    public Action<QpTrainingEpoch>? EpochCallback { get; init; }

    /// <summary>
    /// When true, <see cref="Progress"/> and <see cref="EpochCallback"/> also receive epoch 0 before training starts:
    /// the initial model's training loss (one forward pass over the training rows), validation loss and snapshot, so a
    /// learning curve can start at the untrained model. Default false.
    /// </summary>
    public bool IncludeEpochZero { get; init; }

    /// <summary>Stops training between batches (and the QP solves of a batch between iterations) when canceled.</summary>
    public CancellationToken CancellationToken { get; init; }
}
