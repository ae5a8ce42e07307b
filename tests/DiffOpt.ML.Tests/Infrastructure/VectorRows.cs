using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>Builds small in-memory data views with vector columns of any size (sizes come from a schema definition).</summary>
internal static class VectorRows
{
    public sealed class FloatRow
    {
        public float[] Features { get; set; } = [];
        public float[] Label { get; set; } = [];
    }

    public sealed class DoubleRow
    {
        public double[] Features { get; set; } = [];
        public double[] Label { get; set; } = [];
    }

    public static IDataView Floats(MLContext ml, IEnumerable<(double[] Features, double[] Label)> rows)
    {
        var list = rows.Select(r => new FloatRow { Features = ToFloat(r.Features), Label = ToFloat(r.Label) }).ToList();
        return ml.Data.LoadFromEnumerable(list, Definition<FloatRow>(list[0].Features.Length, list[0].Label.Length));
    }

    public static IDataView Doubles(MLContext ml, IEnumerable<(double[] Features, double[] Label)> rows)
    {
        var list = rows.Select(r => new DoubleRow { Features = r.Features, Label = r.Label }).ToList();
        return ml.Data.LoadFromEnumerable(list, Definition<DoubleRow>(list[0].Features.Length, list[0].Label.Length));
    }

    /// <summary>A schema definition giving Features and Label known sizes.</summary>
    public static SchemaDefinition Definition<T>(int featureSize, int labelSize)
    {
        var definition = SchemaDefinition.Create(typeof(T));
        var itemType = definition["Features"].ColumnType is VectorDataViewType v ? v.ItemType : definition["Features"].ColumnType;
        definition["Features"].ColumnType = new VectorDataViewType((PrimitiveDataViewType)itemType, featureSize);
        definition["Label"].ColumnType = new VectorDataViewType((PrimitiveDataViewType)itemType, labelSize);
        return definition;
    }

    /// <summary>The values of a vector column of Single, as doubles, row by row.</summary>
    public static double[][] Column(IDataView data, string name) =>
        data.Schema[name].Type is VectorDataViewType { ItemType: var t } && t == NumberDataViewType.Double
            ? data.GetColumn<VBuffer<double>>(name).Select(v => v.DenseValues().ToArray()).ToArray()
            : data.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().Select(x => (double)x).ToArray()).ToArray();

    private static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();
}
