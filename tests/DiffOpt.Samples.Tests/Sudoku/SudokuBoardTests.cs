using SudokuStructuredPrediction.Data;

namespace DiffOpt.Samples.Tests.Sudoku;

public class SudokuBoardTests
{
    [Fact]
    public void Parse_ReadsRowByRow_AndFormatsBack()
    {
        var board = SudokuBoard.Parse(".3....1.4......2");
        Assert.Equal(0, board[0, 0]);
        Assert.Equal(3, board[0, 1]);
        Assert.Equal(1, board[1, 2]);
        Assert.Equal(4, board[2, 0]);
        Assert.Equal(2, board[3, 3]);
        Assert.Equal(4, board.ClueCount);
        Assert.False(board.IsComplete);
        Assert.Equal(".3....1.4......2", board.ToString());
    }

    [Theory]
    [InlineData(".3....1.4......", "16 characters")]
    [InlineData(".3....1.4......22", "16 characters")]
    [InlineData(".3..x.1.4......2", "character 5")]
    [InlineData(".3..5.1.4......2", "character 5")]
    [InlineData(".3..0.1.4......2", "character 5")]
    public void TryParse_Fails_WithReason(string text, string reason)
    {
        Assert.False(SudokuBoard.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Throws<FormatException>(() => SudokuBoard.Parse(text));
    }

    [Fact]
    public void FromCells_RejectsWrongCountAndDigits()
    {
        Assert.Throws<ArgumentException>(() => SudokuBoard.FromCells(new int[15]));
        var cells = new int[16];
        cells[3] = 5;
        Assert.Throws<ArgumentException>(() => SudokuBoard.FromCells(cells));
    }

    [Theory]
    [InlineData("1324241342313142", "solved: every row, column and box holds 1-4, and the clues are kept")]
    [InlineData("2314142331424231", "a valid board, but it changes a clue of the puzzle")]
    [InlineData("1324241342313124", "not solved: a row, column or box repeats a digit")]
    public void PredictDescribe_JudgesThePredictedBoardAgainstThePuzzlesClues(string predicted, string expected)
    {
        // The puzzle's clues are a subset of the solution's cells: a solved board that keeps them must not be
        // reported as changing a clue (the arguments of CluesAgreeWith were once swapped, which did exactly that).
        var puzzle = SudokuBoard.Parse(".3....1.4......2");
        Assert.Equal(expected, SudokuStructuredPrediction.Commands.PredictCommand.Describe(puzzle, SudokuBoard.Parse(predicted)));
    }

    [Fact]
    public void CluesAgreeWith_ComparesOnlyFilledCells()
    {
        var solution = SudokuBoard.Parse("1324241342313142");
        Assert.True(SudokuBoard.Parse(".3....1.4......2").CluesAgreeWith(solution));
        Assert.False(SudokuBoard.Parse(".2....1.4......2").CluesAgreeWith(solution));
    }

    [Fact]
    public void ToGrid_DrawsBoxBorders()
    {
        var lines = SudokuBoard.Parse("1324241342313142").ToGrid().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(["1 3 | 2 4", "2 4 | 1 3", "----+----", "4 2 | 3 1", "3 1 | 4 2"], lines);
    }
}
