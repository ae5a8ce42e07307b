using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;

namespace DiffOpt.Samples.Tests.Sudoku;

public class SudokuEncodingAndEvaluationTests
{
    private static readonly SudokuExample OptNetFirst =
        new(SudokuBoard.Parse(".3....1.4......2"), SudokuBoard.Parse("1324241342313142"));

    [Fact]
    public void OneHot_UsesOptNetsRowColumnDigitLayout_AndZerosForBlanks()
    {
        var encoded = SudokuEncoding.OneHot(OptNetFirst.Puzzle);
        Assert.Equal(64, encoded.Length);
        Assert.Equal(4f, encoded.Sum());
        Assert.Equal(1f, encoded[(0 * 4 + 1) * 4 + 2]); // row 0, column 1 holds 3
        Assert.Equal(1f, encoded[SudokuEncoding.IndexOf(1, 2, 1)]);
        Assert.Equal(1f, encoded[SudokuEncoding.IndexOf(2, 0, 4)]);
        Assert.Equal(1f, encoded[61]); // row 3, column 3 holds 2: 15 * 4 + (2 - 1)
    }

    [Fact]
    public void ArgMax_InvertsOneHotOfACompleteBoard()
    {
        Assert.Equal(OptNetFirst.Solution, SudokuEncoding.ArgMax(SudokuEncoding.OneHot(OptNetFirst.Solution)));
    }

    [Fact]
    public void ArgMax_TakesTheFirstOfEqualScores_AndNeverANaN()
    {
        var scores = new float[64];
        scores[1] = float.NaN;
        scores[2] = 0.5f;
        var board = SudokuEncoding.ArgMax(scores);
        Assert.Equal(3, board[0]); // cell 0: NaN never wins, 0.5 beats 0
        Assert.Equal(1, board[1]); // all zeros: the first digit
        Assert.Throws<ArgumentException>(() => SudokuEncoding.ArgMax(new float[63]));
    }

    [Fact]
    public void Score_CountsUnsolvedByThePapersRule_AndMismatchesSeparately()
    {
        var examples = new[] { OptNetFirst, OptNetFirst, OptNetFirst };
        var predictions = new[]
        {
            SudokuEncoding.OneHot(OptNetFirst.Solution),                     // right
            SudokuEncoding.OneHot(SudokuBoard.Parse("2413132431424231")),     // valid board, ignores the clues
            SudokuEncoding.OneHot(SudokuBoard.Parse("1414414114144141")),     // invalid
        };
        Assert.True(SudokuRules.IsSolved(SudokuBoard.Parse("2413132431424231")));
        var evaluation = SudokuEvaluation.Score(predictions, examples);
        Assert.Equal(3, evaluation.Boards);
        Assert.Equal(1, evaluation.Unsolved);
        Assert.Equal(2, evaluation.Mismatched);
        Assert.Equal(1.0 / 3, evaluation.Error, 12);
        Assert.Equal(2.0 / 3, evaluation.MismatchRate, 12);
    }

    [Fact]
    public void Score_RejectsMismatchedCounts()
    {
        Assert.Throws<ArgumentException>(() => SudokuEvaluation.Score([new float[64]], [OptNetFirst, OptNetFirst]));
    }
}
