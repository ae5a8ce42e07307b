using DiffOpt.Native;
using SudokuStructuredPrediction.Baseline;
using SudokuStructuredPrediction.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Samples.Tests.Sudoku;

public class ConvBaselineTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_GivesADigitDistributionPerCell(bool digitsAsChannels)
    {
        torch.manual_seed(0);
        using var network = new SudokuConvNet(width: 8, depth: 2, digitsAsChannels);
        using var input = torch.rand(5, 64);
        using var output = network.call(input);
        Assert.Equal([5L, 64L], output.shape);
        using var sums = output.reshape(5, 16, 4).sum(dim: -1);
        Assert.True(sums.allclose(torch.ones(5, 16), rtol: 1e-5, atol: 1e-5));
        Assert.True(output.ge(ScalarSafeOperations.Zero).all().item<bool>());
    }

    [Fact]
    public void Layout_DecidesWhatTheFirstConvolutionSees()
    {
        // OptNet's layout: 4 input channels are the board's rows; the other: the digits. Both have 4 channels, so
        // the difference shows in the outputs for the same weights and a non-symmetric input.
        torch.manual_seed(3);
        using var a = new SudokuConvNet(8, 1, digitsAsChannels: false);
        torch.manual_seed(3);
        using var b = new SudokuConvNet(8, 1, digitsAsChannels: true);
        using var input = torch.rand(2, 64);
        Assert.False(a.call(input).allclose(b.call(input)));
    }

    [Fact]
    public void Training_ReportsEveryEpoch_AndLowersTheLossOnASmallSet()
    {
        var examples = new SudokuGenerator(2).Generate(60);
        var options = new ConvBaselineOptions { Epochs = 4, Width = 16, Depth = 2, BatchSize = 20, LearningRate = 1e-2, DigitsAsChannels = true, Seed = 5 };
        var (epochs, network) = ConvBaselineTrainer.Train(examples.Take(50).ToList(), examples.Skip(50).ToList(), options);
        network.Dispose();
        Assert.Equal([0, 1, 2, 3, 4], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.Equal(10, e.Test.Boards));
        Assert.True(double.IsNaN(epochs[0].TrainLoss));
        Assert.True(epochs[^1].TrainLoss < epochs[1].TrainLoss, $"loss {epochs[1].TrainLoss} -> {epochs[^1].TrainLoss}");
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvBaselineOptions { Width = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvBaselineOptions { BatchSize = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvBaselineOptions { LearningRate = double.NaN }.Validate());
    }
}
