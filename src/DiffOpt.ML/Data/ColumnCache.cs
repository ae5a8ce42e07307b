using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML.Data;

/// <summary>
/// Copies of one source column's values for the rows of a block, stored by slot and served by slot. ML.NET
/// getters may reuse their buffers, so every value is copied: vectors with <see cref="VBuffer{T}.CopyTo(ref VBuffer{T})"/>,
/// scalars of value types by assignment. Text (<see cref="ReadOnlyMemory{T}"/> of char), as a scalar or a vector
/// item, is kept as the memory the source gave, which ML.NET treats as immutable (as its own cache does).
/// </summary>
internal abstract class ColumnCache
{
    private static readonly MethodInfo CreateValue = typeof(ColumnCache).GetMethod(nameof(Value), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo CreateVector = typeof(ColumnCache).GetMethod(nameof(Vector), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// True if values of <paramref name="type"/> can be copied generically: vectors, and scalars that are
    /// primitives, text, or ML.NET's value types (date-times, time spans, row ids). Other types (images, custom
    /// reference types) cannot, and their cursors compute row by row.
    /// </summary>
    public static bool CanCache(DataViewType type)
    {
        var raw = type.RawType;
        return IsVBuffer(raw) || raw.IsPrimitive || raw == typeof(ReadOnlyMemory<char>) || raw == typeof(DateTime)
            || raw == typeof(DateTimeOffset) || raw == typeof(TimeSpan) || raw == typeof(DataViewRowId) || raw == typeof(decimal);
    }

    /// <summary>A cache of <paramref name="blockSize"/> slots reading <paramref name="column"/> of <paramref name="source"/>.</summary>
    /// <remarks>
    /// ML.NET's getters are generic in the column's raw type, known only at run time (any primitive, text, date-time, …),
    /// so the typed cache is made by closing <see cref="Value{T}"/> or <see cref="Vector{T}"/> over it, the generic-method
    /// dispatch ML.NET's own caches use. A switch over the raw types would repeat the list <see cref="CanCache"/> accepts.
    /// </remarks>
    public static ColumnCache Create(DataViewRow source, DataViewSchema.Column column, int blockSize)
    {
        var raw = column.Type.RawType;
        var method = IsVBuffer(raw) ? CreateVector.MakeGenericMethod(raw.GetGenericArguments()[0]) : CreateValue.MakeGenericMethod(raw);
        return (ColumnCache)method.Invoke(null, [source, column, blockSize])!;
    }

    /// <summary>Copies the source's current value into <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter (a <see cref="ValueGetter{TValue}"/> of the column's raw type) of the value in the slot <paramref name="slot"/> returns.</summary>
    public abstract Delegate CreateGetter(Func<int> slot);

    private static bool IsVBuffer(Type raw) => raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>);

    private static ColumnCache Value<T>(DataViewRow source, DataViewSchema.Column column, int blockSize) =>
        new ValueCache<T>(source.GetGetter<T>(column), blockSize);

    private static ColumnCache Vector<T>(DataViewRow source, DataViewSchema.Column column, int blockSize) =>
        new VectorCache<T>(source.GetGetter<VBuffer<T>>(column), blockSize);

    /// <summary>Scalars of value types: assignment copies them.</summary>
    private sealed class ValueCache<T>(ValueGetter<T> getter, int blockSize) : ColumnCache
    {
        private readonly T[] _values = new T[blockSize];

        /// <inheritdoc/>
        public override void Store(int slot) => getter(ref _values[slot]);

        /// <inheritdoc/>
        public override Delegate CreateGetter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
    }

    /// <summary>Vectors: each slot owns its buffers; the source's value is read into a scratch buffer and copied.</summary>
    private sealed class VectorCache<T>(ValueGetter<VBuffer<T>> getter, int blockSize) : ColumnCache
    {
        private readonly VBuffer<T>[] _values = new VBuffer<T>[blockSize];
        private VBuffer<T> _scratch;

        /// <inheritdoc/>
        public override void Store(int slot)
        {
            // The source may hand out its own buffer (which it reuses), so never keep _scratch itself.
            getter(ref _scratch);
            _scratch.CopyTo(ref _values[slot]);
        }

        /// <inheritdoc/>
        public override Delegate CreateGetter(Func<int> slot) =>
            (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
    }
}
