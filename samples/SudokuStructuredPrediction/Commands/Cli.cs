using DiffOpt.Samples;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;

namespace SudokuStructuredPrediction.Commands;

/// <summary>Shared plumbing of the Sudoku commands: data loading, splitting, output lines.</summary>
internal static class Cli
{
    /// <summary>Reads a <c>puzzle,solution</c> file; a missing or malformed file becomes a <see cref="SampleException"/>.</summary>
    public static IReadOnlyList<SudokuExample> ReadData(string path) => DataFile.Read(path, p => SudokuCsv.Read(p));

    /// <summary>The line printed after each epoch.</summary>
    public static string EpochLine(string model, EpochResult r) => r.Epoch == 0
        ? CommandRunner.Invariant($"{model} epoch 0: test error {r.Test.Error:F4}")
        : CommandRunner.Invariant($"{model} epoch {r.Epoch}: train loss {r.TrainLoss:F5}, test error {r.Test.Error:F4}, {r.Seconds:F1} s");

    /// <summary>The exact last line of <c>train</c>, <c>evaluate</c> and <c>baseline</c>.</summary>
    public static string TestErrorLine(SudokuEvaluation evaluation) => CommandRunner.Invariant($"test error: {evaluation.Error:F4}");
}
