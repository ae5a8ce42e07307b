using DiffOpt.Samples.Tests.Common;
using Program = DataPoisoning.Program;

namespace DiffOpt.Samples.Tests.DataPoisoning;

[Collection(ConsoleCollection.Name)]
public class DataPoisoningCommandLineTests
{
    [Fact]
    public void TheDemo_OnSmallData_ChecksTheGradient_Attacks_AndWritesThePlotAndModel()
    {
        using var folder = new TempFolder();
        var (code, output, error) = ConsoleCapture.Run(Program.Main, "--output", folder.Path, "--points", "24", "--attack-points", "2",
            "--steps", "2", "--big-points", "12", "--big-features", "3", "--repeats", "1");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var lines = ConsoleCapture.Lines(output);
        var check = Assert.Single(lines, l => l.StartsWith("finite-difference check"));
        double relative = double.Parse(System.Text.RegularExpressions.Regex.Match(check, @"relative error ([^,]+),").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(relative < 1e-2, check);
        Assert.Contains(lines, l => l.StartsWith("test loss: before ") && l.Contains("realised"));
        Assert.Contains(lines, l => l.StartsWith("ML.NET pipeline") && l.Contains("poisoned"));
        Assert.Matches(@"^larger case \(12 points x 3 features\): median \d+ ms per gradient", lines[^1]);
        Assert.True(new FileInfo(folder.File("poisoning.png")).Length > 1000);
        Assert.True(File.Exists(folder.File("logistic-regression.zip")));
    }

    [Theory]
    [InlineData("--points", "2")]
    [InlineData("--attack-points", "0")]
    [InlineData("--budget", "-1")]
    public void BadOptions_FailWithOneLineAndExitCode1(string option, string value)
    {
        using var folder = new TempFolder();
        var (code, _, error) = ConsoleCapture.Run(Program.Main, "--output", folder.Path, option, value);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public void Help_ListsTheOptions()
    {
        var (code, output, _) = ConsoleCapture.Run(Program.Main, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--attack-points", output);
        Assert.Contains("--big-features", output);
    }
}
