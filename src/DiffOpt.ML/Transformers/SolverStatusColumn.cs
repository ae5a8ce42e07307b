using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML;

/// <summary>
/// The status column of every DiffOpt.ML transformer that writes one (<see cref="QpSolvingTransformer"/>,
/// <see cref="ConvexSolvingTransformer"/>, <see cref="ConvexLayerTransformer"/>): a key column (raw type UInt32)
/// whose key values name what happened to each row.
/// <list type="bullet">
/// <item>Key <see cref="NonFiniteInputKey"/> (1): the row has a NaN or infinite input value; it was not solved.</item>
/// <item>Key <c>(uint)status + 2</c> (2 … 8): the solver handled the row and ended with that <see cref="SolverStatus"/>
/// (2 = <see cref="SolverStatus.Solved"/>, 3 = <see cref="SolverStatus.Inaccurate"/>, …).</item>
/// <item>Key <see cref="InvalidInputKey"/> (the last, 9): the problem refused the row's finite values (for example a
/// negative entry of a parameter declared nonnegative); it was not solved. Only the convex transforms write it.</item>
/// </list>
/// The column carries ML.NET's KeyValues annotation with these names, so
/// <c>mlContext.Transforms.Conversion.MapKeyToValue</c> turns it into text, and a <c>uint</c> member of a prediction
/// class receives the key. Compare keys with <see cref="KeyOf"/> and the two constants rather than with literals.
/// </summary>
/// <remarks>
/// Models saved before a transformer typed its column (SolveQp format 0x00010001; SolveConvex and the ConvexLayer
/// model, format 0x00010001) still write a text column with the same names when loaded, so pipelines built on them
/// keep working.
/// </remarks>
public static class SolverStatusColumn
{
    /// <summary>The name given to rows with a NaN or infinite input value.</summary>
    public const string NonFiniteInputName = "NonFiniteInput";

    /// <summary>The key of a row with a NaN or infinite input value (its outputs are NaN).</summary>
    public const uint NonFiniteInputKey = 1;

    /// <summary>The name given to rows whose finite values the problem refuses (e.g. a negative value of a nonnegative parameter).</summary>
    public const string InvalidInputName = "InvalidInput";

    private static readonly string[] Names =
    [
        NonFiniteInputName,
        .. Enumerable.Range(0, (int)Enum.GetValues<SolverStatus>().Max() + 1).Select(i => ((SolverStatus)i).ToString()),
        InvalidInputName,
    ];

    /// <summary>The key of a row whose finite values the problem refuses (its outputs are NaN): the last key, <see cref="KeyCount"/>.</summary>
    public static uint InvalidInputKey => (uint)Names.Length;

    /// <summary>The number of key values (the key type's count): non-finite input, one per status, invalid input.</summary>
    public static int KeyCount => Names.Length;

    /// <summary>The key type of the column.</summary>
    public static KeyDataViewType KeyType => new(typeof(uint), KeyCount);

    /// <summary>The key written for a row the solver handled with <paramref name="status"/>.</summary>
    /// <param name="status">A solver status.</param>
    /// <returns>The key, (uint)<paramref name="status"/> + 2.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not a defined member.</exception>
    public static uint KeyOf(SolverStatus status)
    {
        if (!Enum.IsDefined(status))
            throw new ArgumentOutOfRangeException(nameof(status), status, "Not a defined SolverStatus member.");
        return (uint)status + 2;
    }

    /// <summary>The solver status a key stands for, or null for a row that was not solved (non-finite or invalid input).</summary>
    /// <param name="key">A key read from the status column (1 … <see cref="KeyCount"/>).</param>
    /// <returns>The status, or null for <see cref="NonFiniteInputKey"/> and <see cref="InvalidInputKey"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="key"/> is 0 (missing) or above <see cref="KeyCount"/>.</exception>
    public static SolverStatus? StatusOf(uint key)
    {
        CheckKey(key);
        return key == NonFiniteInputKey || key == InvalidInputKey ? null : (SolverStatus)(key - 2);
    }

    /// <summary>The name of a key: <see cref="NonFiniteInputName"/>, a <see cref="SolverStatus"/> member name or <see cref="InvalidInputName"/>.</summary>
    /// <param name="key">A key read from the status column (1 … <see cref="KeyCount"/>).</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="key"/> is 0 (missing) or above <see cref="KeyCount"/>.</exception>
    public static string NameOf(uint key)
    {
        CheckKey(key);
        return Names[key - 1];
    }

    /// <summary>The status column of a transformer's output schema: the key with its names, or text for a model saved before the key.</summary>
    internal static (string Name, DataViewType Type, DataViewSchema.Annotations? Annotations) Column(string name, bool text) =>
        text ? (name, TextDataViewType.Instance, null) : (name, KeyType, MlNetInterop.KeyValueNames(Names));

    /// <summary>The getter serving the key <c>keys[slot()]</c>, as a key or (for <paramref name="text"/>) as its name.</summary>
    internal static Delegate Getter(uint[] keys, Func<int> slot, bool text) => text
        ? (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = NameOf(keys[slot()]).AsMemory())
        : (ValueGetter<uint>)((ref uint value) => value = keys[slot()]);

    private static void CheckKey(uint key)
    {
        if (key < 1 || key > Names.Length)
            throw new ArgumentOutOfRangeException(nameof(key), key, $"A status key lies in [1, {Names.Length}]; 0 is a missing key.");
    }
}
