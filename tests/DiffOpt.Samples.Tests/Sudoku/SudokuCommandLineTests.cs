using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Model;
using Program = SudokuStructuredPrediction.Program;

namespace DiffOpt.Samples.Tests.Sudoku;

[Collection(ConsoleCollection.Name)]
public class SudokuCommandLineTests
{
    [Fact]
    public void Generate_WritesAReadableFile()
    {
        using var folder = new TempFolder();
        var (code, _, error) = ConsoleCapture.Run(Program.Main, "generate", "--count", "25", "--seed", "3", "--out", folder.File("p.csv"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(25, SudokuCsv.Read(folder.File("p.csv")).Count);
    }

    [Fact]
    public void Evaluate_WithASavedModel_EndsWithTheTestErrorLine()
    {
        using var folder = new TempFolder();
        var examples = new SudokuGenerator(4).Generate(30);
        SudokuCsv.Write(folder.File("p.csv"), examples);
        var ml = new MLContext(0);
        var oracle = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Label").Fit(SudokuModel.ToDataView(ml, examples));
        SudokuModel.Save(ml, oracle, folder.File("m.zip"));
        var (code, output, _) = ConsoleCapture.Run(Program.Main, "evaluate", "--data", folder.File("p.csv"), "--skip", "20", "--model", folder.File("m.zip"));
        Assert.Equal(0, code);
        var lines = ConsoleCapture.Lines(output);
        Assert.Equal("boards: 10, unsolved: 0, different from the stored solution: 0", lines[^2]);
        Assert.Equal("test error: 0.0000", lines[^1]);
    }

    [Fact]
    public void Predict_PrintsTheBoard()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(0);
        var echo = ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Features").Fit(SudokuModel.ToDataView(ml, new SudokuGenerator(1).Generate(3)));
        SudokuModel.Save(ml, echo, folder.File("echo.zip"));
        var (code, output, _) = ConsoleCapture.Run(Program.Main, "predict", "--model", folder.File("echo.zip"), "--puzzle", ".3....1.4......2");
        Assert.Equal(0, code);
        Assert.StartsWith("1 3 | 1 1", output);
        Assert.Contains("not solved", output);
    }

    [Theory]
    [InlineData("evaluate", "--data", "{dir}/missing.csv", "--model", "{dir}/m.zip")]
    [InlineData("evaluate", "--data", "{dir}/p.csv", "--model", "{dir}/missing.zip")]
    [InlineData("evaluate", "--data", "{dir}/p.csv", "--model", "{dir}/garbage.zip")]
    [InlineData("evaluate", "--data", "{dir}/bad.csv", "--model", "{dir}/m.zip")]
    [InlineData("evaluate", "--data", "{dir}/p.csv", "--skip", "30", "--model", "{dir}/m.zip")]
    [InlineData("predict", "--model", "{dir}/garbage.zip", "--puzzle", ".3....1.4......2")]
    [InlineData("predict", "--model", "{dir}/m.zip", "--puzzle", ".3....1.4.....")]
    [InlineData("train", "--data", "{dir}/missing.csv", "--model", "{dir}/new.zip")]
    [InlineData("train", "--data", "{dir}/p.csv", "--train-count", "30", "--model", "{dir}/new.zip")]
    [InlineData("train", "--data", "{dir}/p.csv", "--epochs", "0", "--model", "{dir}/new.zip")]
    [InlineData("--threads", "-1", "generate", "--out", "{dir}/g.csv")]
    [InlineData("baseline", "--data", "{dir}/bad.csv")]
    [InlineData("baseline", "--data", "{dir}/p.csv", "--width", "0")]
    [InlineData("generate", "--min-clues", "2", "--out", "{dir}/g.csv")]
    public void Failures_PrintOneErrorLine_AndExitWith1(params string[] args)
    {
        using var folder = new TempFolder();
        var examples = new SudokuGenerator(4).Generate(30);
        SudokuCsv.Write(folder.File("p.csv"), examples);
        File.WriteAllText(folder.File("bad.csv"), "puzzle,solution\n.3....1.4......2,1324\n");
        File.WriteAllText(folder.File("garbage.zip"), "garbage");
        var ml = new MLContext(0);
        SudokuModel.Save(ml, ml.Transforms.CopyColumns(SudokuModel.ScoreColumn, "Label").Fit(SudokuModel.ToDataView(ml, examples)), folder.File("m.zip"));

        var (code, _, error) = ConsoleCapture.Run(Program.Main, args.Select(a => a.Replace("{dir}", folder.Path)).ToArray());
        Assert.Equal(1, code);
        var lines = ConsoleCapture.Lines(error);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.False(File.Exists(folder.File("new.zip")));
    }

    [Fact]
    public void Train_PrintsEachEpoch_SavesTheModel_AndEndsWithTheTestErrorLine()
    {
        using var folder = new TempFolder();
        SudokuCsv.Write(folder.File("p.csv"), new SudokuGenerator(4).Generate(50));
        var (code, output, error) = ConsoleCapture.Run(Program.Main,
            "train", "--data", folder.File("p.csv"), "--train-count", "40", "--epochs", "2", "--model", folder.File("m.zip"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = ConsoleCapture.Lines(output);
        Assert.StartsWith("optnet epoch 0: test error ", lines[0]); // the untrained model: the curve's first point
        Assert.StartsWith("optnet epoch 1: train loss ", lines[1]);
        Assert.StartsWith("optnet epoch 2: train loss ", lines[2]);
        Assert.Matches(@"^test error: [01]\.\d{4}$", lines[^1]);
        Assert.True(File.Exists(folder.File("m.zip")));

        // evaluate and predict read the saved model back; evaluate scores the same 10 boards the same way.
        var evaluate = ConsoleCapture.Run(Program.Main, "evaluate", "--data", folder.File("p.csv"), "--skip", "40", "--model", folder.File("m.zip"));
        Assert.Equal(0, evaluate.ExitCode);
        Assert.Equal(lines[^1], ConsoleCapture.Lines(evaluate.Out)[^1]);
        var predict = ConsoleCapture.Run(Program.Main, "predict", "--model", folder.File("m.zip"), "--puzzle", ".3....1.4......2");
        Assert.Equal(0, predict.ExitCode);
        Assert.Equal(6, ConsoleCapture.Lines(predict.Out).Length); // 4 board rows, the box separator and the verdict
    }
}
