using System.ComponentModel;

namespace DiffOpt.ML;

/// <summary>The former name of <see cref="SolverStatusColumn"/>, kept so that code written for DiffOpt.ML 0.x still builds.</summary>
[Obsolete("Use SolverStatusColumn: every DiffOpt.ML transformer now writes the same status column.")]
[EditorBrowsable(EditorBrowsableState.Never)]
public static class QpStatusColumn
{
    /// <inheritdoc cref="SolverStatusColumn.NonFiniteInputName"/>
    public const string NonFiniteInputName = SolverStatusColumn.NonFiniteInputName;

    /// <inheritdoc cref="SolverStatusColumn.NonFiniteInputKey"/>
    public const uint NonFiniteInputKey = SolverStatusColumn.NonFiniteInputKey;

    /// <inheritdoc cref="SolverStatusColumn.KeyCount"/>
    public static int KeyCount => SolverStatusColumn.KeyCount;

    /// <inheritdoc cref="SolverStatusColumn.KeyType"/>
    public static Microsoft.ML.Data.KeyDataViewType KeyType => SolverStatusColumn.KeyType;

    /// <inheritdoc cref="SolverStatusColumn.KeyOf"/>
    public static uint KeyOf(SolverStatus status) => SolverStatusColumn.KeyOf(status);

    /// <inheritdoc cref="SolverStatusColumn.StatusOf"/>
    public static SolverStatus? StatusOf(uint key) => SolverStatusColumn.StatusOf(key);

    /// <inheritdoc cref="SolverStatusColumn.NameOf"/>
    public static string NameOf(uint key) => SolverStatusColumn.NameOf(key);
}
