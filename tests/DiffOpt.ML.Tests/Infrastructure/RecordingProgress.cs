namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>A synchronous IProgress that records every report and can run an action on each.</summary>
internal sealed class RecordingProgress(Action<QpTrainingProgress>? onReport = null) : IProgress<QpTrainingProgress>
{
    public List<QpTrainingProgress> Reports { get; } = [];

    public void Report(QpTrainingProgress value)
    {
        Reports.Add(value);
        onReport?.Invoke(value);
    }
}
