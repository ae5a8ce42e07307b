using DiffOpt.ML.Persistence;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiffOpt.ML;

/// <summary>
/// The status column written by <see cref="QpSolvingTransformer"/>: a key column (raw type UInt32) whose key
/// values name what happened to each row. Key <see cref="NonFiniteInputKey"/> (1) marks a row with a NaN or infinite
/// input value (not solved); key <c>(uint)status + 2</c> marks a row the solver handled with that
/// <see cref="SolverStatus"/> (2 = <see cref="SolverStatus.Solved"/>, 3 = <see cref="SolverStatus.Inaccurate"/>, …).
/// The column carries ML.NET's KeyValues annotation with these names, so
/// <c>mlContext.Transforms.Conversion.MapKeyToValue</c> turns it into text, and a <c>uint</c> member of a
/// prediction class receives the key.
/// </summary>
/// <remarks>
/// Models saved by DiffOpt.ML before this column was typed (format 0x00010001) still write a text column with the
/// same names when loaded, so pipelines built on them keep working.
/// </remarks>
public static class QpStatusColumn
{
    /// <summary>The name given to rows with a NaN or infinite input value.</summary>
    public const string NonFiniteInputName = "NonFiniteInput";

    /// <summary>The key of a row with a NaN or infinite input value (its solution is NaN).</summary>
    public const uint NonFiniteInputKey = 1;

    private static readonly string[] Names =
        [NonFiniteInputName, .. Enumerable.Range(0, (int)Enum.GetValues<SolverStatus>().Max() + 1).Select(i => ((SolverStatus)i).ToString())];

    /// <summary>The number of key values (the key type's count): one for non-finite input plus one per status.</summary>
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

    /// <summary>The solver status a key stands for, or null for <see cref="NonFiniteInputKey"/>.</summary>
    /// <param name="key">A key read from the status column (1 … <see cref="KeyCount"/>).</param>
    /// <returns>The status, or null for a row with non-finite input.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="key"/> is 0 (missing) or above <see cref="KeyCount"/>.</exception>
    public static SolverStatus? StatusOf(uint key)
    {
        CheckKey(key);
        return key == NonFiniteInputKey ? null : (SolverStatus)(key - 2);
    }

    /// <summary>The name of a key: <see cref="NonFiniteInputName"/> or a <see cref="SolverStatus"/> member name.</summary>
    /// <param name="key">A key read from the status column (1 … <see cref="KeyCount"/>).</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="key"/> is 0 (missing) or above <see cref="KeyCount"/>.</exception>
    public static string NameOf(uint key)
    {
        CheckKey(key);
        return Names[key - 1];
    }

    /// <summary>The annotations of the column: the KeyValues vector of names.</summary>
    internal static DataViewSchema.Annotations Annotations() => MlNetInterop.KeyValueNames(Names);

    private static void CheckKey(uint key)
    {
        if (key < 1 || key > Names.Length)
            throw new ArgumentOutOfRangeException(nameof(key), key, $"A status key lies in [1, {Names.Length}]; 0 is a missing key.");
    }
}
