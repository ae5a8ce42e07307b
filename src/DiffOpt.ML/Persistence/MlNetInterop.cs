using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML.Persistence;

/// <summary>
/// The few non-persistence members of ML.NET that are internal (5.0.1, 6.0.0) and that a third-party
/// estimator needs: the environment behind a catalog, cancellation through <see cref="MLContext"/>, and
/// <see cref="SchemaShape.Column"/> construction. Kept here so that every internal-API use lives in this folder.
/// </summary>
internal static class MlNetInterop
{
    /// <summary>The host environment (the <see cref="MLContext"/>) behind a catalog.</summary>
    public static IHostEnvironment GetEnvironment(TransformsCatalog catalog) => ((IInternalCatalog)catalog).Environment;

    /// <summary>The host environment of an <see cref="MLContext"/>.</summary>
    public static IHostEnvironment GetEnvironment(MLContext mlContext) => mlContext;

    /// <summary>The host environment (the <see cref="MLContext"/>) behind a trainer catalog.</summary>
    public static IHostEnvironment GetEnvironment(RegressionCatalog.RegressionTrainers catalog) => ((IInternalCatalog)catalog).Environment;

    /// <summary>True when <see cref="MLContext.CancelExecution"/> was called on the environment.</summary>
    public static bool IsCanceled(IHostEnvironment environment) => environment is ICancelable { IsCanceled: true };

    /// <summary>The schema shape of a concrete schema, as estimators see it.</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

    /// <summary>A known-size vector column of the given item type, for <see cref="IEstimator{T}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column VectorColumn(string name, DataViewType itemType) =>
        new(name, SchemaShape.Column.VectorKind.Vector, itemType, isKey: false);

    /// <summary>The KeyValues annotation of a key column whose key k (from 1) is named <paramref name="names"/>[k − 1].</summary>
    public static DataViewSchema.Annotations KeyValueNames(string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddKeyValues(names.Length, TextDataViewType.Instance,
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray()));
        return builder.ToAnnotations();
    }

    /// <summary>A scalar (non-key) column of <paramref name="type"/>, for <see cref="IEstimator{T}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column ScalarColumn(string name, DataViewType type) =>
        new(name, SchemaShape.Column.VectorKind.Scalar, type, isKey: false);

    /// <summary>A scalar key column with a KeyValues annotation of text, for <see cref="IEstimator{T}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column KeyColumnWithNames(string name, DataViewType rawType) =>
        new(name, SchemaShape.Column.VectorKind.Scalar, rawType, isKey: true,
            new SchemaShape([new SchemaShape.Column(AnnotationUtils.Kinds.KeyValues, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, isKey: false)]));
}
