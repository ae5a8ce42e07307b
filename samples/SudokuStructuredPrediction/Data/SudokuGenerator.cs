namespace SudokuStructuredPrediction.Data;

/// <summary>
/// Seeded generator of 4x4 puzzles with a unique solution, following the procedure of the OptNet data
/// (Amos &amp; Kolter 2017, sec. 4.4; OptNet's <c>sudoku/create.py</c>, after Arel Cordero's generator): pick a
/// completed board (here uniformly among all 288), then visit its cells in a random order and blank a cell
/// when its digit can still be deduced as a "hidden single": in its row, its column or its box, no other blank
/// cell can take that digit. Blanking stops when no cell qualifies or the puzzle is down to
/// <see cref="MinClues"/> clues. Reading the blanked cells back in reverse order solves the puzzle, so its
/// solution is unique (and checked again with <see cref="SudokuSolver"/>). With the default range this gives
/// 4-8 clues, mostly 5-6, as in the OptNet file; a puzzle with more than <see cref="MaxClues"/> clues is
/// discarded and drawn again.
/// </summary>
public sealed class SudokuGenerator
{
    private const int MaxAttempts = 10_000;
    private static readonly Lazy<IReadOnlyList<SudokuBoard>> AllGrids =
        new(() => SudokuSolver.AllSolutions(SudokuBoard.FromCells(new int[SudokuBoard.CellCount])));

    private readonly Random _random;

    /// <summary>Creates a generator.</summary>
    /// <param name="seed">Seed of the random stream: equal seeds give equal puzzles.</param>
    /// <param name="minClues">Fewest clues (at least 4: no 4x4 puzzle with fewer has a unique solution).</param>
    /// <param name="maxClues">Most clues (at most 16, and at least <paramref name="minClues"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The clue range is empty or outside 4-16.</exception>
    public SudokuGenerator(int seed, int minClues = 4, int maxClues = 8)
    {
        if (minClues < 4 || minClues > SudokuBoard.CellCount)
            throw new ArgumentOutOfRangeException(nameof(minClues), minClues, "minClues must be in 4-16 (no 4x4 puzzle with fewer than 4 clues has a unique solution).");
        if (maxClues < minClues || maxClues > SudokuBoard.CellCount)
            throw new ArgumentOutOfRangeException(nameof(maxClues), maxClues, $"maxClues must be in {minClues}-16.");
        _random = new Random(seed);
        MinClues = minClues;
        MaxClues = maxClues;
    }

    /// <summary>Fewest clues of a generated puzzle.</summary>
    public int MinClues { get; }

    /// <summary>Most clues of a generated puzzle.</summary>
    public int MaxClues { get; }

    /// <summary>The next puzzle with its solution.</summary>
    /// <exception cref="InvalidOperationException">No puzzle in the clue range was found in 10,000 draws.</exception>
    public SudokuExample Next()
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var solution = AllGrids.Value[_random.Next(AllGrids.Value.Count)];
            var cells = Reduce(solution);
            int clues = cells.Count(d => d != 0);
            if (clues <= MaxClues)
                return new SudokuExample(SudokuBoard.FromCells(cells), solution);
        }
        throw new InvalidOperationException($"No puzzle with {MinClues}-{MaxClues} clues found in {MaxAttempts} draws.");
    }

    /// <summary>The next <paramref name="count"/> puzzles.</summary>
    public IReadOnlyList<SudokuExample> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var examples = new SudokuExample[count];
        for (int i = 0; i < count; i++) examples[i] = Next();
        return examples;
    }

    private int[] Reduce(SudokuBoard solution)
    {
        var cells = solution.ToArray();
        var order = Enumerable.Range(0, SudokuBoard.CellCount).ToArray();
        _random.Shuffle(order);
        int clues = SudokuBoard.CellCount;
        foreach (int index in order)
        {
            if (clues == MinClues) break;
            int digit = cells[index];
            cells[index] = 0;
            if (IsHiddenSingle(cells, index, digit)) clues--;
            else cells[index] = digit;
        }
        if (SudokuSolver.CountSolutions(SudokuBoard.FromCells(cells), limit: 2) != 1)
            throw new InvalidOperationException($"Internal error: generated puzzle {SudokuBoard.FromCells(cells)} has no unique solution.");
        return cells;
    }

    /// <summary>True when some group of the blank cell <paramref name="index"/> has no other blank cell that can take <paramref name="digit"/>.</summary>
    private static bool IsHiddenSingle(int[] cells, int index, int digit) =>
        SudokuRules.Groups.Where(g => g.Contains(index))
            .Any(g => !g.Any(other => other != index && cells[other] == 0 && SudokuRules.CanPlace(cells, other, digit)));
}
