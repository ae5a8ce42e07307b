using Denoising.Data;
using Denoising.TotalVariation;
using DiffOpt.Samples.Tests.Common;
using Program = Denoising.Program;

namespace DiffOpt.Samples.Tests.Denoising;

[Collection(ConsoleCollection.Name)]
public class DenoisingCommandLineTests
{
    [Fact]
    public void TvBaseline_EndsWithTheTestMseOfTheLastRows()
    {
        using var folder = new TempFolder();
        var examples = new SignalGenerator(2).Generate(10);
        SignalCsv.Write(folder.File("s.csv"), examples);
        var (code, output, error) = ConsoleCapture.Run(Program.Main, "tv-baseline", "--data", folder.File("s.csv"), "--lambda", "21");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        // The file keeps 6 decimals; the expected value is computed from what was read back.
        var test = SignalCsv.Read(folder.File("s.csv")).Skip(9).ToList();
        using var noisy = SignalTensors.Noisy(test);
        using var clean = SignalTensors.Clean(test);
        using var z = new TotalVariationDenoiser().Denoise(noisy, 21);
        Assert.Equal(CommandRunner.Invariant($"test mse: {SignalMetrics.MeanSquaredError(z, clean):F4}"), ConsoleCapture.Lines(output)[^1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Train_PrintsEachEpoch_SavesTheModel_AndEvaluateReadsItBack(bool plain)
    {
        using var folder = new TempFolder();
        SignalCsv.Write(folder.File("s.csv"), new SignalGenerator(5).Generate(30));
        string[] args = ["train", "--data", folder.File("s.csv"), "--model", folder.File("m.zip"), "--epochs", "2", "--lambda", "15", "--train-count", "20",
            "--progress-seconds", "0", "--batch-size", "10"];
        var (code, output, error) = ConsoleCapture.Run(Program.Main, plain ? [.. args, "--no-adaptive-weights"] : args);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = ConsoleCapture.Lines(output);
        Assert.Equal(!plain, lines[0].Contains("adaptive weights"));
        Assert.Contains(lines, l => l.StartsWith("optnet epoch 0: test mse "));
        Assert.Contains(lines, l => l.StartsWith("optnet epoch 2: train mse "));
        // --progress-seconds 0: a line after every mini-batch but an epoch's last (20 rows in batches of 10), epoch 0's
        // forward passes included.
        Assert.Equal(["optnet Epoch 0/2", "optnet Epoch 1/2", "optnet Epoch 2/2"],
            lines.Where(l => l.Contains(": batch 1/2, training loss so far ")).Select(l => l[..l.IndexOf(':')]));
        Assert.Single(lines, l => l.StartsWith("optnet epoch 0: test mse "));
        Assert.Matches(@"^test mse: \d+\.\d{4}$", lines[^1]);

        var evaluate = ConsoleCapture.Run(Program.Main, "evaluate", "--data", folder.File("s.csv"), "--skip", "20", "--model", folder.File("m.zip"));
        Assert.Equal(0, evaluate.ExitCode);
        Assert.Equal(lines[^1], ConsoleCapture.Lines(evaluate.Out)[^1]);
    }

    [Fact]
    public void Generate_WritesAReadableFile()
    {
        using var folder = new TempFolder();
        var (code, _, _) = ConsoleCapture.Run(Program.Main, "generate", "--count", "7", "--out", folder.File("g.csv"));
        Assert.Equal(0, code);
        Assert.Equal(7, SignalCsv.Read(folder.File("g.csv")).Count);
    }

    [Theory]
    [InlineData("tv-baseline", "--data", "{dir}/s.csv")]
    [InlineData("tv-baseline", "--data", "{dir}/s.csv", "--lambda", "3", "--sweep")]
    [InlineData("tv-baseline", "--data", "{dir}/missing.csv", "--lambda", "3")]
    [InlineData("tv-baseline", "--data", "{dir}/bad.csv", "--lambda", "3")]
    [InlineData("tv-baseline", "--data", "{dir}/s.csv", "--lambda", "-3")]
    [InlineData("tv-baseline", "--data", "{dir}/s.csv", "--sweep", "--lambdas", "1,x")]
    [InlineData("fc-baseline", "--data", "{dir}/s.csv", "--hidden", "0")]
    [InlineData("train", "--data", "{dir}/s.csv", "--model", "{dir}/m.zip", "--lambda", "-1")]
    [InlineData("train", "--data", "{dir}/s.csv", "--model", "{dir}/m.zip", "--epochs", "0", "--lambda", "5")]
    [InlineData("train", "--data", "{dir}/s.csv", "--model", "{dir}/m.zip", "--sweep-count", "0")]
    [InlineData("evaluate", "--data", "{dir}/s.csv", "--model", "{dir}/m.zip")]
    [InlineData("evaluate", "--data", "{dir}/s.csv", "--model", "{dir}/garbage.zip")]
    public void Failures_PrintOneErrorLine_AndExitWith1(params string[] args)
    {
        using var folder = new TempFolder();
        SignalCsv.Write(folder.File("s.csv"), new SignalGenerator(2).Generate(10));
        File.WriteAllText(folder.File("bad.csv"), SignalCsv.Header + "\n1,2\n");
        File.WriteAllText(folder.File("garbage.zip"), "garbage");
        var (code, _, error) = ConsoleCapture.Run(Program.Main, args.Select(a => a.Replace("{dir}", folder.Path)).ToArray());
        Assert.Equal(1, code);
        var lines = ConsoleCapture.Lines(error);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.False(File.Exists(folder.File("m.zip")));
    }
}
