using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>
/// Column checks shared by the estimators and transformers. Failures are ML.NET's schema-mismatch errors:
/// an <see cref="ArgumentOutOfRangeException"/> for parameter "inputSchema" whose message reads
/// "Could not find {role} column '{name}'" or "Schema mismatch for {role} column '{name}': expected …, got …".
/// </summary>
internal static class SchemaCheck
{
    private const string ExpectedVector = "known-size vector of Single or Double";

    /// <summary>Finds a known-size Single or Double vector column; with <paramref name="size"/>, also checks its length.</summary>
    public static DataViewSchema.Column NumericVector(DataViewSchema schema, string role, string name, int? size = null)
    {
        var column = schema.GetColumnOrNull(name) ?? throw Missing(role, name);
        var type = column.Type as VectorDataViewType;
        if (type is null || !type.IsKnownSize || !ColumnTypes.IsFloatingPoint(type.ItemType))
            throw Mismatch(role, name, ExpectedVector, column.Type.ToString() ?? "unknown");
        if (size is { } expected && type.Size != expected)
            throw Mismatch(role, name, $"vector of size {expected}", $"vector of size {type.Size}");
        return column;
    }

    /// <summary>Finds a known-size Single or Double vector column in a schema shape.</summary>
    public static SchemaShape.Column NumericVector(SchemaShape shape, string role, string name)
    {
        var found = shape.Where(c => c.Name == name).ToArray();
        if (found.Length == 0)
            throw Missing(role, name);
        var column = found[^1];
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.IsKey || !ColumnTypes.IsFloatingPoint(column.ItemType))
            throw Mismatch(role, name, ExpectedVector, ColumnTypes.Describe(column));
        return column;
    }

    /// <summary>The columns of <paramref name="input"/> with <paramref name="appended"/> added (same names replaced).</summary>
    public static SchemaShape Append(SchemaShape input, params SchemaShape.Column[] appended)
    {
        var names = appended.Select(c => c.Name).ToHashSet();
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(appended));
    }

    private static ArgumentOutOfRangeException Missing(string role, string name) =>
        new("inputSchema", $"Could not find {role} column '{name}'");

    private static ArgumentOutOfRangeException Mismatch(string role, string name, string expected, string actual) =>
        new("inputSchema", $"Schema mismatch for {role} column '{name}': expected {expected}, got {actual}");
}
