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

    /// <summary>The host environment (the <see cref="MLContext"/>) behind a trainer catalog.</summary>
    public static IHostEnvironment GetEnvironment(RegressionCatalog.RegressionTrainers catalog) => ((IInternalCatalog)catalog).Environment;

    /// <summary>True when <see cref="MLContext.CancelExecution"/> was called on the environment.</summary>
    public static bool IsCanceled(IHostEnvironment environment) => environment is ICancelable { IsCanceled: true };

    /// <summary>The schema shape of a concrete schema, as estimators see it.</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

    /// <summary>A known-size vector column of the given item type, for <see cref="IEstimator{T}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column VectorColumn(string name, DataViewType itemType) =>
        new(name, SchemaShape.Column.VectorKind.Vector, itemType, isKey: false);

    /// <summary>A scalar column of the given type, for <see cref="IEstimator{T}.GetOutputSchema"/>.</summary>
    public static SchemaShape.Column ScalarColumn(string name, DataViewType type) =>
        new(name, SchemaShape.Column.VectorKind.Scalar, type, isKey: false);
}
