namespace SudokuStructuredPrediction.Data;

/// <summary>One labelled example: a puzzle and its (unique) solution.</summary>
/// <param name="Puzzle">The puzzle, blanks as 0.</param>
/// <param name="Solution">The completed board.</param>
public sealed record SudokuExample(SudokuBoard Puzzle, SudokuBoard Solution);
