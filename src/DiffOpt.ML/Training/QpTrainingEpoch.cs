namespace DiffOpt.ML;

/// <summary>
/// What <see cref="QpTrainingMonitor.EpochCallback"/> receives after every epoch: the epoch's
/// <see cref="Progress"/> and <see cref="Model"/>, a snapshot of the model trained so far.
/// </summary>
/// <remarks>
/// The snapshot is an independent <see cref="QpLayerTransformer"/> with its own copy of the weights: later epochs do
/// not change it, so it can be kept (for example the best epoch's model), scored on any data with
/// <c>Transform</c> and ML.NET's evaluators or your own metric, used in a PredictionEngine, and saved with
/// <c>mlContext.Model.Save</c>.
/// </remarks>
public sealed class QpTrainingEpoch
{
    internal QpTrainingEpoch(QpTrainingProgress progress, QpLayerTransformer model)
    {
        Progress = progress;
        Model = model;
    }

    /// <summary>Epoch number, losses and times of the epoch just finished (as reported to <see cref="QpTrainingMonitor.Progress"/>).</summary>
    public QpTrainingProgress Progress { get; }

    /// <summary>The model after this epoch: an independent copy, unaffected by further training.</summary>
    public QpLayerTransformer Model { get; }
}
