using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>Small questions about column types asked by the schema checks and the readers.</summary>
internal static class ColumnTypes
{
    /// <summary>The item type of a vector type, or the type itself for a scalar.</summary>
    public static DataViewType ItemType(DataViewType type) => type is VectorDataViewType vector ? vector.ItemType : type;

    /// <summary>True for Single and Double.</summary>
    public static bool IsFloatingPoint(DataViewType type) => type == NumberDataViewType.Single || type == NumberDataViewType.Double;

    /// <summary>A known-size vector type of the given item type and size.</summary>
    public static VectorDataViewType Vector(DataViewType itemType, int size) => new((PrimitiveDataViewType)itemType, size);

    /// <summary>Describes a <see cref="SchemaShape.Column"/> the way ML.NET's schema errors do.</summary>
    public static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{column.ItemType}>",
        _ => column.ItemType?.ToString() ?? "unknown",
    };
}
