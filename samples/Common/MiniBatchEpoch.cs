using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Samples;

/// <summary>One training epoch of a TorchSharp network on in-memory data: mini-batches in order, MSE loss.</summary>
public static class MiniBatchEpoch
{
    /// <summary>
    /// Runs one epoch over (<paramref name="inputs"/>, <paramref name="targets"/>) in file order (no shuffling, as
    /// OptNet's scripts) and returns the mean of the mini-batch MSE losses.
    /// </summary>
    /// <exception cref="ArgumentException">The tensors have different numbers of rows, or none.</exception>
    public static double Run(nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, Tensor inputs, Tensor targets, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long rows = inputs.shape[0];
        if (rows == 0 || targets.shape[0] != rows)
            throw new ArgumentException($"inputs have {rows} rows and targets {targets.shape[0]}; expected the same positive number.", nameof(targets));
        network.train();
        double total = 0;
        int batches = 0;
        for (long start = 0; start < rows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(batchSize, rows - start);
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(network.call(inputs.narrow(0, start, length)), targets.narrow(0, start, length));
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
            batches++;
        }
        return total / batches;
    }
}
