using System.Diagnostics;
using Denoising.Data;
using Denoising.TotalVariation;
using DiffOpt.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace Denoising.Baseline;

/// <summary>Trains <see cref="FullyConnectedNet"/> as OptNet's <c>denoising/main.py</c> does (mini-batches in file order, MSE, Adam).</summary>
public static class FullyConnectedTrainer
{
    /// <summary>Trains; returns every epoch's result (epoch 0 first) and the trained network.</summary>
    public static (IReadOnlyList<DenoisingEpoch> Epochs, FullyConnectedNet Network) Train(IReadOnlyList<SignalExample> train,
        IReadOnlyList<SignalExample> test, FullyConnectedOptions options, Action<DenoisingEpoch>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        torch.manual_seed(options.Seed);
        using var x = SignalTensors.Noisy(train);
        using var y = SignalTensors.Clean(train);
        using var testX = SignalTensors.Noisy(test);
        using var testY = SignalTensors.Clean(test);
        var network = new FullyConnectedNet((int)x.shape[1], options.Hidden);
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);

        var results = new List<DenoisingEpoch>();
        void Report(DenoisingEpoch e) { results.Add(e); onEpoch?.Invoke(e); }
        Report(new DenoisingEpoch(0, double.NaN, TestMse(network, testX, testY), 0));
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double loss = MiniBatchEpoch.Run(network, optimizer, x, y, options.BatchSize);
            double seconds = clock.Elapsed.TotalSeconds;
            Report(new DenoisingEpoch(epoch, loss, TestMse(network, testX, testY), seconds));
        }
        return (results, network);
    }

    /// <summary>Denoises signals with a trained network (B, n) → (B, n).</summary>
    public static Tensor Predict(FullyConnectedNet network, Tensor noisy)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        using var noGrad = no_grad();
        var result = network.call(noisy);
        network.train();
        return result;
    }

    private static double TestMse(FullyConnectedNet network, Tensor x, Tensor y)
    {
        using var predicted = Predict(network, x);
        return SignalMetrics.MeanSquaredError(predicted, y);
    }
}
