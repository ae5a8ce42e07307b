namespace SudokuStructuredPrediction.Data;

/// <summary>
/// One-hot encoding of boards in OptNet's layout: 4 x 4 x 4 = 64 entries indexed
/// (row * 4 + column) * 4 + (digit - 1). A blank cell is all zeros.
/// </summary>
public static class SudokuEncoding
{
    /// <summary>Length of an encoded board.</summary>
    public const int FeatureCount = SudokuBoard.CellCount * SudokuBoard.Size;

    /// <summary>Index of (row, column, digit) in an encoded board; digit is 1-4.</summary>
    public static int IndexOf(int row, int column, int digit) => (row * SudokuBoard.Size + column) * SudokuBoard.Size + digit - 1;

    /// <summary>Encodes a board (puzzle or solution) as 64 floats.</summary>
    public static float[] OneHot(SudokuBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        var encoded = new float[FeatureCount];
        for (int cell = 0; cell < SudokuBoard.CellCount; cell++)
            if (board[cell] != 0) encoded[cell * SudokuBoard.Size + board[cell] - 1] = 1f;
        return encoded;
    }

    /// <summary>
    /// Decodes 64 scores into a complete board by taking the arg-max digit of each cell (the first of equal
    /// maxima). A NaN score never wins.
    /// </summary>
    /// <exception cref="ArgumentException">Not 64 scores.</exception>
    public static SudokuBoard ArgMax(ReadOnlySpan<float> scores)
    {
        if (scores.Length != FeatureCount)
            throw new ArgumentException($"Expected {FeatureCount} scores (4 x 4 cells x 4 digits); got {scores.Length}.", nameof(scores));
        var cells = new int[SudokuBoard.CellCount];
        for (int cell = 0; cell < SudokuBoard.CellCount; cell++)
        {
            var values = scores.Slice(cell * SudokuBoard.Size, SudokuBoard.Size);
            int best = 0;
            for (int d = 1; d < SudokuBoard.Size; d++)
                if (values[d] > values[best] || float.IsNaN(values[best])) best = d;
            cells[cell] = best + 1;
        }
        return SudokuBoard.FromCells(cells);
    }
}
