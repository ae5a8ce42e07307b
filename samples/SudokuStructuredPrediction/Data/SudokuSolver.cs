namespace SudokuStructuredPrediction.Data;

/// <summary>Exhaustive backtracking solver for 4x4 Sudoku (small enough to enumerate every completion).</summary>
public static class SudokuSolver
{
    /// <summary>
    /// Counts the completions of <paramref name="puzzle"/> that obey the rules, stopping once
    /// <paramref name="limit"/> are found (so CountSolutions(p, 2) == 1 tests uniqueness cheaply).
    /// </summary>
    public static int CountSolutions(SudokuBoard puzzle, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(puzzle);
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1.");
        int count = 0;
        Enumerate(puzzle, _ => ++count < limit);
        return count;
    }

    /// <summary>Every completion of <paramref name="puzzle"/> (288 for the empty board).</summary>
    public static IReadOnlyList<SudokuBoard> AllSolutions(SudokuBoard puzzle)
    {
        ArgumentNullException.ThrowIfNull(puzzle);
        var solutions = new List<SudokuBoard>();
        Enumerate(puzzle, cells => { solutions.Add(SudokuBoard.FromCells(cells)); return true; });
        return solutions;
    }

    /// <summary>The first completion found, or null when the puzzle has none.</summary>
    public static SudokuBoard? Solve(SudokuBoard puzzle)
    {
        ArgumentNullException.ThrowIfNull(puzzle);
        SudokuBoard? found = null;
        Enumerate(puzzle, cells => { found = SudokuBoard.FromCells(cells); return false; });
        return found;
    }

    /// <summary>Calls <paramref name="onSolution"/> for each completion until it returns false.</summary>
    private static void Enumerate(SudokuBoard puzzle, Func<int[], bool> onSolution)
    {
        var cells = puzzle.ToArray();
        if (!CluesConsistent(cells)) return;
        Search(cells, 0, onSolution);
    }

    private static bool Search(int[] cells, int index, Func<int[], bool> onSolution)
    {
        while (index < SudokuBoard.CellCount && cells[index] != 0) index++;
        if (index == SudokuBoard.CellCount) return onSolution(cells);
        for (int digit = 1; digit <= SudokuBoard.Size; digit++)
        {
            if (!SudokuRules.CanPlace(cells, index, digit)) continue;
            cells[index] = digit;
            bool more = Search(cells, index + 1, onSolution);
            cells[index] = 0;
            if (!more) return false;
        }
        return true;
    }

    private static bool CluesConsistent(int[] cells)
    {
        for (int i = 0; i < SudokuBoard.CellCount; i++)
        {
            int d = cells[i];
            if (d == 0) continue;
            cells[i] = 0;
            bool ok = SudokuRules.CanPlace(cells, i, d);
            cells[i] = d;
            if (!ok) return false;
        }
        return true;
    }
}
