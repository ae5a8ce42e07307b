using DiffOpt.Samples;
using System.Diagnostics;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace SudokuStructuredPrediction.Baseline;

/// <summary>
/// Trains <see cref="SudokuConvNet"/> as OptNet's <c>sudoku/train.py</c> does: mini-batches in file order
/// (no shuffling), MSE between the softmax output and the one-hot solution, Adam; the test error is
/// measured before training (epoch 0) and after every epoch.
/// </summary>
public static class ConvBaselineTrainer
{
    private const int EvaluationBatch = 200;

    /// <summary>Trains and returns the result of each epoch (epoch 0 first) and the trained network.</summary>
    public static (IReadOnlyList<EpochResult> Epochs, SudokuConvNet Network) Train(IReadOnlyList<SudokuExample> train,
        IReadOnlyList<SudokuExample> test, ConvBaselineOptions options, Action<EpochResult>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("No training examples.", nameof(train));

        torch.manual_seed(options.Seed);
        var network = new SudokuConvNet(options.Width, options.Depth, options.DigitsAsChannels);
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        using var x = Encode(train, e => e.Puzzle);
        using var y = Encode(train, e => e.Solution);

        var results = new List<EpochResult>();
        void Report(EpochResult r) { results.Add(r); onEpoch?.Invoke(r); }
        Report(new EpochResult(0, double.NaN, Evaluate(network, test), 0));
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double loss = MiniBatchEpoch.Run(network, optimizer, x, y, options.BatchSize);
            double seconds = clock.Elapsed.TotalSeconds;
            Report(new EpochResult(epoch, loss, Evaluate(network, test), seconds));
        }
        return (results, network);
    }

    /// <summary>Scores the network on examples by the paper's rule.</summary>
    public static SudokuEvaluation Evaluate(SudokuConvNet network, IReadOnlyList<SudokuExample> examples)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        var predictions = new List<float[]>(examples.Count);
        using (no_grad())
        {
            for (int start = 0; start < examples.Count; start += EvaluationBatch)
            {
                using var scope = NewDisposeScope();
                var batch = examples.Skip(start).Take(EvaluationBatch).ToList();
                var scores = network.call(Encode(batch, e => e.Puzzle)).data<float>().ToArray();
                for (int i = 0; i < batch.Count; i++)
                    predictions.Add(scores[(i * SudokuEncoding.FeatureCount)..((i + 1) * SudokuEncoding.FeatureCount)]);
            }
        }
        network.train();
        return SudokuEvaluation.Score(predictions, examples);
    }

    private static Tensor Encode(IReadOnlyList<SudokuExample> examples, Func<SudokuExample, SudokuBoard> board)
    {
        var data = new float[examples.Count * SudokuEncoding.FeatureCount];
        for (int i = 0; i < examples.Count; i++)
            SudokuEncoding.OneHot(board(examples[i])).CopyTo(data, i * SudokuEncoding.FeatureCount);
        return tensor(data, [examples.Count, SudokuEncoding.FeatureCount]);
    }
}
