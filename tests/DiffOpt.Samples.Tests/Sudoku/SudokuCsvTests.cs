using SudokuStructuredPrediction.Data;

namespace DiffOpt.Samples.Tests.Sudoku;

public class SudokuCsvTests
{
    // The first three rows of the OptNet file (sudoku/data/2 of locuslab/optnet, converted to text).
    private const string OptNetHead = "puzzle,solution\n.3....1.4......2,1324241342313142\n4.3..14.2....3..,4231314224131324\n";

    [Fact]
    public void Read_ParsesTheOptNetFormat()
    {
        var examples = SudokuCsv.Read(new StringReader(OptNetHead), "head");
        Assert.Equal(2, examples.Count);
        Assert.Equal(".3....1.4......2", examples[0].Puzzle.ToString());
        Assert.Equal("4231314224131324", examples[1].Solution.ToString());
    }

    [Fact]
    public void WriteThenRead_RoundTrips()
    {
        var examples = new SudokuGenerator(5).Generate(30);
        var writer = new StringWriter();
        SudokuCsv.Write(writer, examples);
        var back = SudokuCsv.Read(new StringReader(writer.ToString()), "memory");
        Assert.Equal(examples, back);
    }

    [Fact]
    public void WriteThenRead_RoundTripsThroughAFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sudoku-{Guid.NewGuid():N}", "data.csv");
        try
        {
            var examples = new SudokuGenerator(6).Generate(5);
            SudokuCsv.Write(path, examples);
            Assert.Equal(examples, SudokuCsv.Read(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("", "line 1 should be the header")]
    [InlineData("puzzle;solution\n", "line 1 should be the header")]
    [InlineData("puzzle,solution\n", "no records")]
    [InlineData("puzzle,solution\n.3....1.4......2\n", "line 2: expected 2 fields")]
    [InlineData("puzzle,solution\n.3....1.4......2,1324241342313142\n.3....1.4.....2,1324241342313142\n", "line 3: puzzle: a board has 16 characters")]
    [InlineData("puzzle,solution\n.3....1.4......2,13242413423131x2\n", "line 2: solution: character 15")]
    [InlineData("puzzle,solution\n.3....1.4......2,132424134231314.\n", "line 2: solution \"132424134231314.\" is not a valid completed board")]
    [InlineData("puzzle,solution\n.2....1.4......2,1324241342313142\n", "contradicts a clue")]
    public void Read_RejectsMalformedText_NamingTheLine(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => SudokuCsv.Read(new StringReader(text), "bad.csv"));
        Assert.StartsWith("bad.csv: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SudokuCsv.Read(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.csv")));
    }
}
