using SudokuStructuredPrediction.Data;

namespace DiffOpt.Samples.Tests.Sudoku;

public class SudokuRulesAndSolverTests
{
    [Fact]
    public void IsSolved_AcceptsAValidBoard()
    {
        Assert.True(SudokuRules.IsSolved(SudokuBoard.Parse("1324241342313142")));
    }

    [Fact]
    public void IsSolved_RejectsGroupsWithTheRightSumButRepeatedDigits()
    {
        // Every row, column and box holds {1, 4, 1, 4}: min 1, max 4 and sum 10 like a valid group (the test in
        // OptNet's computeErr would pass it), but digits repeat, so the paper's rule says unsolved.
        Assert.False(SudokuRules.IsSolved(SudokuBoard.Parse("1414414114144141")));
    }

    [Theory]
    [InlineData("1324241342313141")] // last row repeats 1
    [InlineData("132424134231314.")] // incomplete
    [InlineData("1234234134124123")] // a Latin square: rows and columns fine, boxes broken
    public void IsSolved_RejectsInvalidOrIncompleteBoards(string text)
    {
        Assert.False(SudokuRules.IsSolved(SudokuBoard.Parse(text)));
    }

    [Fact]
    public void Groups_CoverEachCellThreeTimes()
    {
        Assert.Equal(12, SudokuRules.Groups.Count);
        var counts = SudokuRules.Groups.SelectMany(g => g).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(16, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(3, c));
    }

    [Fact]
    public void CountSolutions_OfTheEmptyBoard_Is288()
    {
        // The number of completed 4x4 Sudoku grids is 288.
        Assert.Equal(288, SudokuSolver.CountSolutions(SudokuBoard.Parse("................")));
        var all = SudokuSolver.AllSolutions(SudokuBoard.Parse("................"));
        Assert.Equal(288, all.Distinct().Count());
        Assert.All(all, b => Assert.True(SudokuRules.IsSolved(b)));
    }

    [Fact]
    public void Solve_FindsTheUniqueSolutionOfAnOptNetPuzzle()
    {
        // First row of the OptNet file (sudoku/data/2 of locuslab/optnet).
        var puzzle = SudokuBoard.Parse(".3....1.4......2");
        Assert.Equal(1, SudokuSolver.CountSolutions(puzzle));
        Assert.Equal(SudokuBoard.Parse("1324241342313142"), SudokuSolver.Solve(puzzle));
    }

    [Fact]
    public void CountSolutions_IsZeroForContradictoryClues_AndStopsAtTheLimit()
    {
        Assert.Equal(0, SudokuSolver.CountSolutions(SudokuBoard.Parse("11..............")));
        Assert.Null(SudokuSolver.Solve(SudokuBoard.Parse("11..............")));
        Assert.Equal(2, SudokuSolver.CountSolutions(SudokuBoard.Parse("................"), limit: 2));
    }
}
