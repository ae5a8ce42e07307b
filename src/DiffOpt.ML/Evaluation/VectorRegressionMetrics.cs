using System.Globalization;

namespace DiffOpt.ML;

/// <summary>
/// Metrics of a vector-valued prediction against a label vector, from <see cref="DiffOptMLCatalog.Evaluate"/>.
/// Errors are averaged over the <see cref="ScoredRowCount"/> rows whose label and prediction are all finite; rows
/// with a NaN or infinite value (for example a decision of <c>SolveQp</c> for an infeasible row, which is NaN) are
/// counted in <see cref="NonFiniteRowCount"/> and left out of every average.
/// </summary>
public sealed class VectorRegressionMetrics
{
    internal VectorRegressionMetrics(long rowCount, long scoredRowCount, double[] perOutputSquared, double[] perOutputAbsolute,
        IReadOnlyDictionary<string, long> statusCounts, double? taskLoss)
    {
        RowCount = rowCount;
        ScoredRowCount = scoredRowCount;
        PerOutputMeanSquaredError = perOutputSquared;
        PerOutputMeanAbsoluteError = perOutputAbsolute;
        MeanSquaredError = perOutputSquared.Average();
        MeanAbsoluteError = perOutputAbsolute.Average();
        StatusCounts = statusCounts;
        TaskLoss = taskLoss;
    }

    /// <summary>Rows read.</summary>
    public long RowCount { get; }

    /// <summary>Rows whose label and prediction are all finite: the rows every average is taken over.</summary>
    public long ScoredRowCount { get; }

    /// <summary>Rows with a NaN or infinite label or prediction value (left out of the averages).</summary>
    public long NonFiniteRowCount => RowCount - ScoredRowCount;

    /// <summary>Mean over rows and outputs of (prediction − label)²; NaN when <see cref="ScoredRowCount"/> is 0.</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>.</summary>
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

    /// <summary>Mean over rows and outputs of |prediction − label|; NaN when <see cref="ScoredRowCount"/> is 0.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>Mean over rows of (prediction[i] − label[i])², for each output i.</summary>
    public IReadOnlyList<double> PerOutputMeanSquaredError { get; }

    /// <summary>Mean over rows of |prediction[i] − label[i]|, for each output i.</summary>
    public IReadOnlyList<double> PerOutputMeanAbsoluteError { get; }

    /// <summary>
    /// How many rows (all <see cref="RowCount"/> of them) carry each status name (for the status column of a DiffOpt
    /// transformer: <see cref="SolverStatusColumn"/>'s names; a missing key counts as
    /// "Missing"); empty when no status column was named.
    /// </summary>
    public IReadOnlyDictionary<string, long> StatusCounts { get; }

    /// <summary>The mean task loss over the scored rows, or null when no task loss was given.</summary>
    public double? TaskLoss { get; }

    /// <summary>A one-line summary, as written to ML.NET's log.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"rows {RowCount} (scored {ScoredRowCount}), MSE {MeanSquaredError:G6}, MAE {MeanAbsoluteError:G6}") +
        (TaskLoss is { } loss ? string.Create(CultureInfo.InvariantCulture, $", task loss {loss:G6}") : "") +
        (StatusCounts.Count == 0 ? "" : ", status " + string.Join(", ", StatusCounts.Select(p => $"{p.Key} {p.Value}")));
}
