using SudokuStructuredPrediction.Data;

namespace SudokuStructuredPrediction.Evaluation;

/// <summary>
/// Scores of a model on a set of boards. A board counts as solved by the paper's rule (OptNet sec. 4.4):
/// after taking the arg-max digit of each cell of the model's output, every row, column and 2x2 box holds
/// each digit exactly once. The rule does not check the puzzle's clues; <see cref="Mismatched"/> counts
/// the stricter failure "arg-max board differs from the stored solution" beside it.
/// </summary>
/// <param name="Boards">Number of boards scored.</param>
/// <param name="Unsolved">Boards whose arg-max board breaks a row, column or box.</param>
/// <param name="Mismatched">Boards whose arg-max board differs from the stored solution.</param>
public sealed record SudokuEvaluation(int Boards, int Unsolved, int Mismatched)
{
    /// <summary>Fraction of boards not solved by the paper's rule: the "test error".</summary>
    public double Error => Boards == 0 ? double.NaN : (double)Unsolved / Boards;

    /// <summary>Fraction of boards whose arg-max board differs from the stored solution.</summary>
    public double MismatchRate => Boards == 0 ? double.NaN : (double)Mismatched / Boards;

    /// <summary>Scores predicted boards (64 scores each, OptNet's layout) against their examples.</summary>
    /// <exception cref="ArgumentException">The counts differ, or a prediction is not 64 scores.</exception>
    public static SudokuEvaluation Score(IReadOnlyList<float[]> predictions, IReadOnlyList<SudokuExample> examples)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(examples);
        if (predictions.Count != examples.Count)
            throw new ArgumentException($"Got {predictions.Count} predictions for {examples.Count} examples.", nameof(predictions));
        int unsolved = 0, mismatched = 0;
        for (int i = 0; i < predictions.Count; i++)
        {
            var board = SudokuEncoding.ArgMax(predictions[i]);
            if (!SudokuRules.IsSolved(board)) unsolved++;
            if (!board.Equals(examples[i].Solution)) mismatched++;
        }
        return new SudokuEvaluation(predictions.Count, unsolved, mismatched);
    }
}
