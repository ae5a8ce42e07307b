using Microsoft.ML;

namespace DiffOpt.ML.Training;

/// <summary>
/// The runtime objects of one training run: those given to Fit, else the obsolete members of the options (kept
/// for one release).
/// </summary>
internal sealed record TrainingRun(IDataView? Validation, IProgress<QpTrainingProgress>? Progress, TimeSpan BatchProgressInterval,
    Action<QpTrainingEpoch>? EpochCallback, CancellationToken CancellationToken, bool IncludeEpochZero)
{
    public static TrainingRun Create(QpLayerTrainer.Options options, IDataView? validation, QpTrainingMonitor? monitor)
    {
        var interval = monitor?.BatchProgressInterval ?? new QpTrainingMonitor().BatchProgressInterval;
        if (interval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(monitor), interval, "BatchProgressInterval must not be negative.");
#pragma warning disable CS0618 // the obsolete option members still work for one release
        return new TrainingRun(
            validation ?? options.ValidationSet,
            monitor?.Progress ?? options.Progress,
            interval,
            monitor?.EpochCallback ?? options.EpochCallback,
            monitor is { CancellationToken.CanBeCanceled: true } ? monitor.CancellationToken : options.CancellationToken,
            monitor?.IncludeEpochZero ?? false);
#pragma warning restore CS0618
    }
}
