using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Denoising.Baseline;

/// <summary>
/// The fully connected baseline of the OptNet denoising experiment (Amos &amp; Kolter 2017, Table 1; OptNet's
/// <c>ReluNet</c>): Linear(100, 1000) → ReLU → Linear(1000, 100), mapping a noisy signal to its estimate.
/// </summary>
public sealed class FullyConnectedNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear _hidden;
    private readonly Linear _output;

    /// <summary>Creates the network with PyTorch's default initialisation.</summary>
    /// <param name="length">Signal length (100).</param>
    /// <param name="hidden">Hidden units (paper: 1000).</param>
    public FullyConnectedNet(int length = 100, int hidden = 1000) : base(nameof(FullyConnectedNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        _hidden = nn.Linear(length, hidden);
        _output = nn.Linear(hidden, length);
        RegisterComponents();
    }

    /// <summary>Maps noisy signals (B, length) to estimates (B, length).</summary>
    public override Tensor forward(Tensor noisy)
    {
        using var relu = nn.functional.relu(_hidden.call(noisy));
        return _output.call(relu);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hidden.Dispose();
            _output.Dispose();
        }
        base.Dispose(disposing);
    }
}
