using DiffOpt.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Evaluation;

/// <summary>One pass over scored data accumulating the sums behind <see cref="VectorRegressionMetrics"/>.</summary>
internal static class VectorRegressionEvaluator
{
    private const string LabelRole = "label";
    private const string ScoreRole = "score";
    private const string StatusRole = "status";
    private const string MissingKey = "Missing";

    public static VectorRegressionMetrics Evaluate(IDataView data, string labelColumn, string scoreColumn, string? statusColumn,
        Func<double[], double[], double>? taskLoss)
    {
        var label = SchemaCheck.NumericVector(data.Schema, LabelRole, labelColumn);
        var size = ((VectorDataViewType)label.Type).Size;
        var score = SchemaCheck.NumericVector(data.Schema, ScoreRole, scoreColumn, size);
        var status = statusColumn is null ? (DataViewSchema.Column?)null : StatusColumn(data.Schema, statusColumn);

        var columns = status is { } s ? new[] { label, score, s } : [label, score];
        var squared = new double[size];
        var absolute = new double[size];
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var y = new double[size];
        var z = new double[size];
        long rows = 0, scored = 0;
        double lossSum = 0;
        using (var cursor = data.GetRowCursor(columns))
        {
            var labelReader = VectorReader.Create(cursor, label);
            var scoreReader = VectorReader.Create(cursor, score);
            var statusName = status is { } column ? StatusReader(cursor, column) : null;
            while (cursor.MoveNext())
            {
                rows++;
                if (statusName is not null)
                {
                    var name = statusName();
                    counts[name] = counts.GetValueOrDefault(name) + 1;
                }
                labelReader.Read(y);
                scoreReader.Read(z);
                if (!y.All(double.IsFinite) || !z.All(double.IsFinite))
                    continue;
                scored++;
                for (var i = 0; i < size; i++)
                {
                    var error = z[i] - y[i];
                    squared[i] += error * error;
                    absolute[i] += Math.Abs(error);
                }
                if (taskLoss is not null)
                {
                    var loss = taskLoss((double[])y.Clone(), (double[])z.Clone());
                    if (!double.IsFinite(loss))
                        throw new InvalidOperationException($"The task loss returned {loss} for row {rows - 1}; it must return a finite value.");
                    lossSum += loss;
                }
            }
        }
        for (var i = 0; i < size; i++)
        {
            squared[i] /= scored;
            absolute[i] /= scored;
        }
        return new VectorRegressionMetrics(rows, scored, squared, absolute, counts,
            taskLoss is null ? null : lossSum / scored);
    }

    /// <summary>A key column with text KeyValues (<see cref="SolverStatusColumn"/>) or a text column (models saved before the key).</summary>
    private static DataViewSchema.Column StatusColumn(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException("inputSchema", $"Could not find {StatusRole} column '{name}'");
        if (column.Type is TextDataViewType)
            return column;
        var keyValues = column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (column.Type is KeyDataViewType { RawType: var raw } && raw == typeof(uint)
            && keyValues is { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return column;
        throw new ArgumentOutOfRangeException("inputSchema",
            $"Schema mismatch for {StatusRole} column '{name}': expected a UInt32 key with text KeyValues, or Text, got {column.Type}");
    }

    private static Func<string> StatusReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is TextDataViewType)
        {
            var text = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            return () =>
            {
                text(ref value);
                return value.ToString();
            };
        }
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetKeyValues(ref names);
        var nameArray = names.DenseValues().Select(n => n.ToString()).ToArray();
        var key = cursor.GetGetter<uint>(column);
        uint k = 0;
        return () =>
        {
            key(ref k);
            return k == 0 || k > nameArray.Length ? MissingKey : nameArray[k - 1];
        };
    }
}
