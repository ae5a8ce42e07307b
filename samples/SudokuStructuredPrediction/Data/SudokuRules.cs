namespace SudokuStructuredPrediction.Data;

/// <summary>The rules of 4x4 Sudoku: each row, column and 2x2 box holds each digit 1-4 exactly once.</summary>
public static class SudokuRules
{
    /// <summary>
    /// The 12 groups (4 rows, 4 columns, 4 boxes), each the 4 cell indices (row * 4 + column) it covers.
    /// </summary>
    public static IReadOnlyList<int[]> Groups { get; } = BuildGroups();

    /// <summary>
    /// True when the board is a valid completed Sudoku: every row, column and box holds each digit exactly
    /// once. This is the paper's criterion for a solved board; it does not look at any puzzle's clues.
    /// </summary>
    public static bool IsSolved(SudokuBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        foreach (var group in Groups)
        {
            int seen = 0;
            foreach (int cell in group)
            {
                int d = board[cell];
                if (d == 0) return false;
                seen |= 1 << d;
            }
            if (seen != 0b11110) return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="digit"/> can go in the blank cell without repeating in its row, column or box.</summary>
    internal static bool CanPlace(int[] cells, int index, int digit)
    {
        int row = index / SudokuBoard.Size, col = index % SudokuBoard.Size;
        int boxRow = row - row % SudokuBoard.BoxSize, boxCol = col - col % SudokuBoard.BoxSize;
        for (int k = 0; k < SudokuBoard.Size; k++)
        {
            if (cells[row * SudokuBoard.Size + k] == digit || cells[k * SudokuBoard.Size + col] == digit) return false;
            int r = boxRow + k / SudokuBoard.BoxSize, c = boxCol + k % SudokuBoard.BoxSize;
            if (cells[r * SudokuBoard.Size + c] == digit) return false;
        }
        return true;
    }

    private static int[][] BuildGroups()
    {
        const int n = SudokuBoard.Size, b = SudokuBoard.BoxSize;
        var groups = new List<int[]>();
        for (int i = 0; i < n; i++)
        {
            groups.Add(Enumerable.Range(0, n).Select(c => i * n + c).ToArray());
            groups.Add(Enumerable.Range(0, n).Select(r => r * n + i).ToArray());
            int top = i / b * b, left = i % b * b;
            groups.Add(Enumerable.Range(0, n).Select(k => (top + k / b) * n + left + k % b).ToArray());
        }
        return groups.ToArray();
    }
}
