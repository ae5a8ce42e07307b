using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace DiffOpt.ML.Training;

/// <summary>Feature and label rows of a data view, read once into tensors (N, d) and (N, n).</summary>
internal sealed class TrainingData : IDisposable
{
    private TrainingData(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    public int Count => (int)Features.shape[0];

    /// <summary>
    /// Reads every row whose feature and label values are all finite; rows with a NaN or infinity are skipped
    /// and counted in a warning, as ML.NET trainers do with missing values.
    /// </summary>
    public static TrainingData Read(IDataView data, string featureColumn, string labelColumn, int featureSize, int labelSize,
        ScalarType dtype, IChannel channel, string role)
    {
        var features = new List<double>();
        var labels = new List<double>();
        var x = new double[featureSize];
        var y = new double[labelSize];
        long skipped = 0;
        var columns = new[] { data.Schema[featureColumn], data.Schema[labelColumn] };
        using (var cursor = data.GetRowCursor(columns))
        {
            var featureReader = VectorReader.Create(cursor, columns[0]);
            var labelReader = VectorReader.Create(cursor, columns[1]);
            while (cursor.MoveNext())
            {
                featureReader.Read(x);
                labelReader.Read(y);
                if (!AllFinite(x) || !AllFinite(y))
                {
                    skipped++;
                    continue;
                }
                features.AddRange(x);
                labels.AddRange(y);
            }
        }
        if (skipped > 0)
            channel.Warning(MessageSensitivity.None, "{0}", $"Skipped {skipped} {role} rows with NaN or infinite feature or label values.");
        var count = features.Count / featureSize;
        if (count == 0)
            throw new InvalidOperationException($"The {role} data has no rows with finite feature and label values.");
        return new TrainingData(
            tensor(features.ToArray(), [count, featureSize], dtype),
            tensor(labels.ToArray(), [count, labelSize], dtype));
    }

    private static bool AllFinite(double[] values) => values.All(double.IsFinite);

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
