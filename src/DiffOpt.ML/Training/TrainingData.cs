using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>A column read next to the features and labels (e.g. a problem parameter fed from the data).</summary>
/// <param name="Name">The column.</param>
/// <param name="Size">Its known vector size.</param>
/// <param name="Nonnegative">True when negative values are refused (the row is skipped).</param>
internal readonly record struct ExtraColumn(string Name, int Size, bool Nonnegative);

/// <summary>
/// Feature and label rows of a data view, read once into tensors (N, d) and (N, n), and optionally extra columns
/// into one tensor (N, Σ sizes).
/// </summary>
internal sealed class TrainingData : IDisposable
{
    private TrainingData(Tensor features, Tensor labels, Tensor? extra)
    {
        Features = features;
        Labels = labels;
        Extra = extra;
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    /// <summary>The extra columns' values side by side, row-major per column; null when none was asked for.</summary>
    public Tensor? Extra { get; }

    public int Count => (int)Features.shape[0];

    /// <summary>
    /// Reads every row whose feature, label and extra values are all finite (and nonnegative in the extra columns that
    /// ask for it); other rows are skipped and counted in a warning, as ML.NET trainers do with missing values.
    /// </summary>
    public static TrainingData Read(IDataView data, string featureColumn, string labelColumn, int featureSize, int labelSize,
        ScalarType dtype, IChannel channel, string role, IReadOnlyList<ExtraColumn>? extraColumns = null)
    {
        var extras = extraColumns ?? [];
        var features = new List<double>();
        var labels = new List<double>();
        var extra = new List<double>();
        var x = new double[featureSize];
        var y = new double[labelSize];
        var e = extras.Select(c => new double[c.Size]).ToArray();
        long skipped = 0, refused = 0;
        var columns = new[] { data.Schema[featureColumn], data.Schema[labelColumn] }.Concat(extras.Select(c => data.Schema[c.Name])).ToArray();
        using (var cursor = data.GetRowCursor(columns))
        {
            var readers = columns.Select(c => VectorReader.Create(cursor, c)).ToArray();
            while (cursor.MoveNext())
            {
                readers[0].Read(x);
                readers[1].Read(y);
                for (int i = 0; i < e.Length; i++)
                    readers[i + 2].Read(e[i]);
                if (!AllFinite(x) || !AllFinite(y) || !e.All(AllFinite))
                {
                    skipped++;
                    continue;
                }
                if (extras.Where((c, i) => c.Nonnegative && e[i].Any(v => v < 0)).Any())
                {
                    refused++;
                    continue;
                }
                features.AddRange(x);
                labels.AddRange(y);
                foreach (var values in e)
                    extra.AddRange(values);
            }
        }
        if (skipped > 0)
            channel.Warning(MessageSensitivity.None, "{0}", $"Skipped {skipped} {role} rows with NaN or infinite feature, label or parameter values.");
        if (refused > 0)
            channel.Warning(MessageSensitivity.None, "{0}", $"Skipped {refused} {role} rows with negative values of a nonnegative parameter.");
        var count = features.Count / featureSize;
        if (count == 0)
            throw new InvalidOperationException($"The {role} data has no rows with finite feature and label values.");
        int extraSize = extras.Sum(c => c.Size);
        return new TrainingData(
            tensor(features.ToArray(), [count, featureSize], dtype),
            tensor(labels.ToArray(), [count, labelSize], dtype),
            extras.Count == 0 ? null : tensor(extra.ToArray(), [count, extraSize], dtype));
    }

    private static bool AllFinite(double[] values) => values.All(double.IsFinite);

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
        Extra?.Dispose();
    }
}
