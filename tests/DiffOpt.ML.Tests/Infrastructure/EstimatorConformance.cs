using DiffOpt.ML.Persistence;
using DiffOpt.ML.RoundTripHelper;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Tests.Infrastructure;

/// <summary>
/// An estimator conformance check in the spirit of ML.NET's TestEstimatorCore: the schema the estimator
/// promises matches the transformer's and the data's; Transform reads nothing; a save/load round trip through
/// mlContext.Model gives identical outputs; invalid input fails early with ML.NET's schema error.
/// </summary>
internal static class EstimatorConformance
{
    public static ITransformer Check<TTransformer>(MLContext ml, IEstimator<TTransformer> estimator, IDataView valid, IDataView invalid)
        where TTransformer : class, ITransformer
    {
        // Schema propagation: estimator shape ⇔ transformer schema ⇔ data schema.
        var shape = estimator.GetOutputSchema(MlNetInterop.ShapeOf(valid.Schema));
        var transformer = estimator.Fit(valid);
        var schema = transformer.GetOutputSchema(valid.Schema);
        AssertMatches(shape, schema);

        var counting = new CountingDataView(valid);
        var transformed = transformer.Transform(counting);
        Assert.Equal(0, counting.CursorsOpened);
        AssertSameSchema(schema, transformed.Schema);

        // Save and reload: same schema, identical values in every column.
        using var stream = new MemoryStream();
        ml.Model.Save(transformer, valid.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out var savedSchema);
        AssertSameSchema(valid.Schema, savedSchema);
        var reloaded = loaded.Transform(valid);
        AssertSameSchema(schema, reloaded.Schema);
        var columns = schema.Where(c => !c.IsHidden && IsComparable(c.Type)).Select(c => c.Name).ToArray();
        Assert.Equal(RoundTripData.EncodeColumns(transformed, columns), RoundTripData.EncodeColumns(reloaded, columns));

        // Invalid input fails before any row is read.
        var invalidCounting = new CountingDataView(invalid);
        AssertSchemaError(() => estimator.GetOutputSchema(MlNetInterop.ShapeOf(invalid.Schema)));
        AssertSchemaError(() => estimator.Fit(invalidCounting));
        AssertSchemaError(() => transformer.GetOutputSchema(invalid.Schema));
        AssertSchemaError(() => transformer.Transform(invalidCounting));
        AssertSchemaError(() => loaded.GetOutputSchema(invalid.Schema));
        Assert.Equal(0, invalidCounting.CursorsOpened);
        return transformer;
    }

    /// <summary>ML.NET's schema errors are ArgumentOutOfRangeException for "inputSchema" naming the column.</summary>
    public static ArgumentOutOfRangeException AssertSchemaError(Action action)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(action);
        Assert.Equal("inputSchema", error.ParamName);
        Assert.Matches("(Could not find|Schema mismatch for) .* column '", error.Message);
        return error;
    }

    private static bool IsComparable(DataViewType type)
    {
        var item = type is VectorDataViewType v ? v.ItemType : type;
        return item == NumberDataViewType.Single || item == NumberDataViewType.Double || item == TextDataViewType.Instance;
    }

    private static DataViewType ColumnTypeOf(Type raw) =>
        raw == typeof(uint) ? NumberDataViewType.UInt32 : raw == typeof(ulong) ? NumberDataViewType.UInt64
        : raw == typeof(ushort) ? NumberDataViewType.UInt16 : NumberDataViewType.Byte;

    private static void AssertMatches(SchemaShape shape, DataViewSchema schema)
    {
        var visible = schema.Where(c => !c.IsHidden).ToArray();
        Assert.Equal(shape.Select(c => c.Name).OrderBy(n => n), visible.Select(c => c.Name).OrderBy(n => n));
        foreach (var column in shape)
        {
            var actual = schema[column.Name].Type;
            var item = actual is VectorDataViewType v ? v.ItemType : actual;
            // A key column's shape carries its raw type (as ML.NET's SchemaShape.Create writes it) and IsKey.
            Assert.Equal(item is KeyDataViewType, column.IsKey);
            Assert.Equal(column.ItemType, item is KeyDataViewType key ? ColumnTypeOf(key.RawType) : item);
            Assert.Equal(column.Kind == SchemaShape.Column.VectorKind.Scalar, actual is not VectorDataViewType);
        }
    }

    private static void AssertSameSchema(DataViewSchema expected, DataViewSchema actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.Equal(expected[i].Type, actual[i].Type);
            Assert.Equal(expected[i].IsHidden, actual[i].IsHidden);
        }
    }
}
