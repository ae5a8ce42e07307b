using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SudokuStructuredPrediction.Baseline;

/// <summary>
/// The convolutional baseline of the OptNet Sudoku experiment (Amos &amp; Kolter 2017, sec. 4.4; the
/// <c>Conv</c> model of OptNet's <c>sudoku/models.py</c>): <c>depth</c> 3x3 convolutions of <c>width</c>
/// channels (padding 1) with ReLU, then a 3x3 convolution back to 4 channels, and a softmax over the digits
/// of each cell. Paper setting: depth 10, width 512.
/// </summary>
/// <remarks>
/// Input and output are boards one-hot encoded in OptNet's layout, (B, 64) = (B, row, column, digit).
/// OptNet's code feeds that (B, 4, 4, 4) tensor to <c>Conv2d</c> as it is, so the board's rows act as the 4
/// input channels and the convolution slides over (column, digit). That is the default here, to reproduce
/// the published baseline. With <c>digitsAsChannels</c> the digits are the channels and the convolution
/// slides over the board (row, column), the usual image-like reading.
/// </remarks>
public sealed class SudokuConvNet : nn.Module<Tensor, Tensor>
{
    private const int Side = 4;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _convolutions;
    private readonly bool _digitsAsChannels;

    /// <summary>Creates the network with freshly initialised weights (PyTorch's default initialisation).</summary>
    /// <param name="width">Channels of each hidden convolution (paper: 512).</param>
    /// <param name="depth">Number of hidden convolutions (paper: 10).</param>
    /// <param name="digitsAsChannels">Slide over the board with digits as channels instead of OptNet's layout.</param>
    /// <exception cref="ArgumentOutOfRangeException">width or depth is below 1.</exception>
    public SudokuConvNet(int width = 512, int depth = 10, bool digitsAsChannels = false) : base(nameof(SudokuConvNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _digitsAsChannels = digitsAsChannels;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long channels = Side;
        for (int i = 0; i < depth; i++)
        {
            layers.Add(nn.Conv2d(channels, width, kernel_size: 3, padding: 1));
            channels = width;
        }
        layers.Add(nn.Conv2d(channels, Side, kernel_size: 3, padding: 1));
        _convolutions = nn.ModuleList(layers.ToArray());
        RegisterComponents();
    }

    /// <summary>Maps one-hot puzzles (B, 64) to per-cell digit probabilities (B, 64), same layout.</summary>
    public override Tensor forward(Tensor puzzles)
    {
        using var scope = NewDisposeScope();
        var x = puzzles.reshape(-1, Side, Side, Side);
        if (_digitsAsChannels) x = x.permute(0, 3, 1, 2);
        for (int i = 0; i < _convolutions.Count - 1; i++)
            x = nn.functional.relu(_convolutions[i].call(x));
        x = _convolutions[^1].call(x);
        if (_digitsAsChannels) x = x.permute(0, 2, 3, 1);
        return nn.functional.softmax(x, dim: -1).reshape(-1, Side * Side * Side).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _convolutions.Dispose();
        base.Dispose(disposing);
    }
}
