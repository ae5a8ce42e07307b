using Denoising.Baseline;
using Denoising.Data;
using TorchSharp;

namespace DiffOpt.Samples.Tests.Denoising;

public class FullyConnectedTests
{
    [Fact]
    public void Network_Maps100To100()
    {
        torch.manual_seed(0);
        using var network = new FullyConnectedNet(100, 16);
        using var x = torch.randn(3, 100);
        using var y = network.call(x);
        Assert.Equal([3L, 100L], y.shape);
        Assert.Equal(100 * 16 + 16 + 16 * 100 + 100, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Training_ReportsEveryEpoch_AndLowersTheTestError()
    {
        var examples = new SignalGenerator(3).Generate(220);
        var options = new FullyConnectedOptions { Epochs = 5, Hidden = 64, BatchSize = 50, LearningRate = 1e-2, Seed = 2 };
        var (epochs, network) = FullyConnectedTrainer.Train(examples.Take(200).ToList(), examples.Skip(200).ToList(), options);
        network.Dispose();
        Assert.Equal([0, 1, 2, 3, 4, 5], epochs.Select(e => e.Epoch));
        Assert.True(epochs[^1].TestMse < epochs[0].TestMse / 2, $"test mse {epochs[0].TestMse} -> {epochs[^1].TestMse}");
        Assert.True(epochs[^1].TrainLoss < epochs[1].TrainLoss);
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedOptions { Hidden = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedOptions { Epochs = -1 }.Validate());
    }
}
