using SudokuStructuredPrediction.Data;

namespace DiffOpt.Samples.Tests.Sudoku;

public class SudokuGeneratorTests
{
    private static readonly IReadOnlyList<SudokuExample> Generated = new SudokuGenerator(seed: 7).Generate(500);

    [Fact]
    public void Puzzles_HaveAUniqueSolution_EqualToTheLabel()
    {
        foreach (var e in Generated)
        {
            Assert.True(SudokuRules.IsSolved(e.Solution));
            Assert.True(e.Puzzle.CluesAgreeWith(e.Solution));
            Assert.Equal(1, SudokuSolver.CountSolutions(e.Puzzle, limit: 2));
            Assert.Equal(e.Solution, SudokuSolver.Solve(e.Puzzle));
        }
    }

    [Fact]
    public void ClueCounts_AreWithin4To8_MostlyFiveOrSix_AsInTheOptNetData()
    {
        var counts = Generated.GroupBy(e => e.Puzzle.ClueCount).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(counts.Keys, k => Assert.InRange(k, 4, 8));
        // OptNet's 10,000 puzzles: 4 clues 13.6 %, 5: 55.5 %, 6: 28.6 %, 7: 2.2 %, 8: 0.05 %.
        double fiveOrSix = (counts.GetValueOrDefault(5) + counts.GetValueOrDefault(6)) / (double)Generated.Count;
        Assert.InRange(fiveOrSix, 0.75, 0.92);
        Assert.InRange(counts.GetValueOrDefault(4) / (double)Generated.Count, 0.08, 0.20);
    }

    [Fact]
    public void Solutions_AreSpreadOverManyOfThe288Grids()
    {
        Assert.True(Generated.Select(e => e.Solution).Distinct().Count() > 200);
    }

    [Fact]
    public void SameSeed_GivesSamePuzzles_OtherSeedDiffers()
    {
        var a = new SudokuGenerator(3).Generate(20).Select(e => e.Puzzle.ToString());
        var b = new SudokuGenerator(3).Generate(20).Select(e => e.Puzzle.ToString());
        var c = new SudokuGenerator(4).Generate(20).Select(e => e.Puzzle.ToString());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ClueRange_IsHonoured()
    {
        var examples = new SudokuGenerator(1, minClues: 10, maxClues: 12).Generate(50);
        Assert.All(examples, e =>
        {
            Assert.InRange(e.Puzzle.ClueCount, 10, 12);
            Assert.Equal(1, SudokuSolver.CountSolutions(e.Puzzle, limit: 2));
        });
    }

    [Theory]
    [InlineData(3, 8)]
    [InlineData(6, 5)]
    [InlineData(4, 17)]
    public void InvalidClueRange_Throws(int min, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SudokuGenerator(0, min, max));
    }
}
