using System.Text;

namespace SudokuStructuredPrediction.Data;

/// <summary>
/// A 4x4 Sudoku board (2x2 boxes), read row by row. Each cell holds a digit 1-4, or 0 for a blank.
/// Its text form is 16 characters, digits 1-4 and '.' for a blank, as in the OptNet CSV
/// (".3....1.4......2").
/// </summary>
public sealed class SudokuBoard : IEquatable<SudokuBoard>
{
    /// <summary>Number of rows, columns and digits.</summary>
    public const int Size = 4;

    /// <summary>Side of a box.</summary>
    public const int BoxSize = 2;

    /// <summary>Number of cells.</summary>
    public const int CellCount = Size * Size;

    /// <summary>The character of a blank cell in the text form.</summary>
    public const char Blank = '.';

    private readonly int[] _cells;

    private SudokuBoard(int[] cells) => _cells = cells;

    /// <summary>Digit at a cell index (row * 4 + column); 0 for a blank.</summary>
    public int this[int index] => _cells[index];

    /// <summary>Digit at a row and column; 0 for a blank.</summary>
    public int this[int row, int column] => _cells[row * Size + column];

    /// <summary>Number of filled cells.</summary>
    public int ClueCount => _cells.Count(d => d != 0);

    /// <summary>True when no cell is blank.</summary>
    public bool IsComplete => _cells.All(d => d != 0);

    /// <summary>Builds a board from 16 digits (0 for a blank).</summary>
    /// <exception cref="ArgumentException">Not 16 cells, or a digit outside 0-4.</exception>
    public static SudokuBoard FromCells(IReadOnlyList<int> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count != CellCount)
            throw new ArgumentException($"A board has {CellCount} cells; got {cells.Count}.", nameof(cells));
        for (int i = 0; i < CellCount; i++)
            if (cells[i] is < 0 or > Size)
                throw new ArgumentException($"Cell {i} holds {cells[i]}; expected 0 (blank) or a digit 1-{Size}.", nameof(cells));
        return new SudokuBoard(cells.ToArray());
    }

    /// <summary>Parses the 16-character text form.</summary>
    /// <exception cref="FormatException">The text is not 16 characters of '1'-'4' and '.'.</exception>
    public static SudokuBoard Parse(string text) =>
        TryParse(text, out var board, out var error) ? board : throw new FormatException(error);

    /// <summary>Parses the 16-character text form; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out SudokuBoard board, out string error)
    {
        board = null!;
        if (text is null || text.Length != CellCount)
        {
            error = $"a board has {CellCount} characters (digits 1-{Size}, '{Blank}' for a blank); got {Describe(text)}";
            return false;
        }
        var cells = new int[CellCount];
        for (int i = 0; i < CellCount; i++)
        {
            char c = text[i];
            if (c == Blank) continue;
            if (c < '1' || c > (char)('0' + Size))
            {
                error = $"character {i + 1} of \"{text}\" is '{c}'; expected a digit 1-{Size} or '{Blank}'";
                return false;
            }
            cells[i] = c - '0';
        }
        board = new SudokuBoard(cells);
        error = "";
        return true;
    }

    /// <summary>True when every clue of this board holds the same digit in <paramref name="other"/>.</summary>
    public bool CluesAgreeWith(SudokuBoard other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < CellCount; i++)
            if (_cells[i] != 0 && _cells[i] != other._cells[i]) return false;
        return true;
    }

    /// <summary>A copy of the 16 cells (0 for a blank).</summary>
    public int[] ToArray() => (int[])_cells.Clone();

    /// <summary>The 16-character text form.</summary>
    public override string ToString() => string.Concat(_cells.Select(d => d == 0 ? Blank : (char)('0' + d)));

    /// <summary>The board drawn as a grid with box borders, for the console.</summary>
    public string ToGrid()
    {
        var sb = new StringBuilder();
        for (int r = 0; r < Size; r++)
        {
            if (r > 0 && r % BoxSize == 0) sb.AppendLine("----+----");
            for (int c = 0; c < Size; c++)
            {
                if (c > 0 && c % BoxSize == 0) sb.Append("| ");
                int d = this[r, c];
                sb.Append(d == 0 ? Blank : (char)('0' + d)).Append(' ');
            }
            sb.Length--;
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(SudokuBoard? other) => other is not null && _cells.AsSpan().SequenceEqual(other._cells);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SudokuBoard);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static string Describe(string? text) => text is null ? "nothing" : $"{text.Length} (\"{text}\")";
}
