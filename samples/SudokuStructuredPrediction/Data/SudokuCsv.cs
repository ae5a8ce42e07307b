using DiffOpt.Samples;

namespace SudokuStructuredPrediction.Data;

/// <summary>
/// Reads and writes the <c>puzzle,solution</c> CSV of the OptNet Sudoku data: a header line
/// <c>puzzle,solution</c>, then one row per example, each field a 16-character board read row by row
/// (digits 1-4, '.' for a blank).
/// </summary>
public static class SudokuCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "puzzle,solution";

    /// <summary>Reads every example of a file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not in the format above; the message names the line.</exception>
    public static IReadOnlyList<SudokuExample> Read(string path) => CsvText.ReadFile(path, Read);

    /// <summary>Reads every example from a reader; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The text is not in the format above; the message names the line.</exception>
    public static IReadOnlyList<SudokuExample> Read(TextReader reader, string source) => CsvText.Read(reader, source, Header, ParseRow);

    /// <summary>Writes examples with the header.</summary>
    public static void Write(string path, IEnumerable<SudokuExample> examples) => CsvText.WriteFile(path, Header, Lines(examples));

    /// <summary>Writes examples with the header to a writer.</summary>
    public static void Write(TextWriter writer, IEnumerable<SudokuExample> examples) => CsvText.Write(writer, Header, Lines(examples));

    private static IEnumerable<string> Lines(IEnumerable<SudokuExample> examples) => examples.Select(e => $"{e.Puzzle},{e.Solution}");

    private static SudokuExample ParseRow(string line, string where)
    {
        var fields = line.Split(',');
        if (fields.Length != 2)
            throw new InvalidDataException($"{where}: expected 2 fields \"puzzle,solution\", got {fields.Length}");
        if (!SudokuBoard.TryParse(fields[0].Trim(), out var puzzle, out var error))
            throw new InvalidDataException($"{where}: puzzle: {error}");
        if (!SudokuBoard.TryParse(fields[1].Trim(), out var solution, out error))
            throw new InvalidDataException($"{where}: solution: {error}");
        if (!SudokuRules.IsSolved(solution))
            throw new InvalidDataException($"{where}: solution \"{solution}\" is not a valid completed board");
        if (!puzzle.CluesAgreeWith(solution))
            throw new InvalidDataException($"{where}: solution \"{solution}\" contradicts a clue of puzzle \"{puzzle}\"");
        return new SudokuExample(puzzle, solution);
    }
}
