namespace DiffOpt.Samples.Tests.Common;

[Collection(ConsoleCollection.Name)]
public class CommonTests
{
    [Fact]
    public void CommandRunner_TurnsSampleAndNotImplementedFailuresIntoOneLineAndExitCode1()
    {
        var sample = ConsoleCapture.Run(_ => CommandRunner.Run(() => throw new SampleException("bad\nfile")));
        Assert.Equal(1, sample.ExitCode);
        Assert.Equal("error: bad file", sample.Error.TrimEnd());
        var missing = ConsoleCapture.Run(_ => CommandRunner.Run(() => throw new NotImplementedException("waiting")));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: not available yet: waiting", missing.Error.TrimEnd());
        Assert.Equal(0, ConsoleCapture.Run(_ => CommandRunner.Run(() => 0)).ExitCode);
    }

    [Fact]
    public void DenseNetworkCommands_RunOneThreadPerProcessor_OthersOne_UnlessThreadsIsGiven()
    {
        int before = TorchSharp.torch.get_num_threads();
        try
        {
            int Observed(bool dense, params string[] args)
            {
                int seen = -1;
                var command = new System.CommandLine.Command("probe");
                command.SetAction(_ => { seen = TorchSharp.torch.get_num_threads(); return 0; });
                var root = new System.CommandLine.RootCommand("test");
                Assert.Equal(0, SampleProgram.Run(args, root, dense ? SampleProgram.DenseNetworkCommand(command) : command));
                return seen;
            }
            Assert.Equal(Environment.ProcessorCount, Observed(dense: true, "probe", "--glibc-malloc-defaults"));
            Assert.Equal(1, Observed(dense: false, "probe", "--glibc-malloc-defaults"));
            Assert.Equal(1, Observed(dense: true, "probe", "--threads", "1", "--glibc-malloc-defaults"));
        }
        finally
        {
            TorchSharp.torch.set_num_threads(before);
        }
    }

    [Fact]
    public void CommandRunner_LetsBugsPropagate()
    {
        Assert.Throws<NullReferenceException>(() => CommandRunner.Run(() => throw new NullReferenceException()));
    }

    [Fact]
    public void Split_TakesTheFirstRowsForTraining_NinetyPercentByDefault()
    {
        var rows = Enumerable.Range(0, 20).ToList();
        var (train, test) = DataFile.Split(rows, null, "f");
        Assert.Equal(Enumerable.Range(0, 18), train);
        Assert.Equal([18, 19], test);
        var (train5, test5) = DataFile.Split(rows, 5, "f");
        Assert.Equal(5, train5.Count);
        Assert.Equal(15, test5.Count);
        Assert.Throws<SampleException>(() => DataFile.Split(rows, 20, "f"));
        Assert.Throws<SampleException>(() => DataFile.Split(rows, 0, "f"));
    }

    [Fact]
    public void DataFileRead_WrapsReaderFailuresAsSampleExceptions()
    {
        Assert.Contains("not found", Assert.Throws<SampleException>(() => DataFile.Read<int>("x", _ => throw new FileNotFoundException("data file 'x' not found"))).Message);
        Assert.Equal("x: line 3: broken", Assert.Throws<SampleException>(() => DataFile.Read<int>("x", _ => throw new InvalidDataException("x: line 3: broken"))).Message);
        Assert.StartsWith("cannot read data file 'x'", Assert.Throws<SampleException>(() => DataFile.Read<int>("x", _ => throw new IOException("disk"))).Message);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
