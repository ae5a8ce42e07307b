using System.Diagnostics;
using DiffOpt.ML.Persistence;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using QpNetwork = DiffOpt.ML.QpNetwork;

namespace DiffOpt.ML.Training;

/// <summary>
/// Mini-batch training of a <see cref="QpNetwork"/>: shuffled batches, one dispose scope per batch,
/// cancellation checked between batches and (the options' token) between the QP solver's iterations, progress after
/// every epoch.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly QpLayerTrainer.Options _options;
    private readonly TrainingRun _run;
    private readonly IHostEnvironment _environment;
    private readonly IChannel _channel;
    private readonly Func<Tensor, Tensor, Tensor> _loss;

    public TrainingLoop(QpLayerTrainer.Options options, TrainingRun run, IHostEnvironment environment, IChannel channel)
    {
        _options = options;
        _run = run;
        _environment = environment;
        _channel = channel;
        _loss = LossFunctions.Create(options.Loss);
    }

    /// <summary>Trains <paramref name="network"/>; <paramref name="snapshot"/> copies it for the epoch callback.</summary>
    public void Run(QpNetwork network, TrainingData train, TrainingData? validation, int seed, Func<QpNetwork, QpLayerTransformer> snapshot)
    {
        var parameters = network.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = OptimizerFactory.Create(_options.Optimizer, parameters, _options.LearningRate);
        var shuffler = new Random(seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var clock = Stopwatch.StartNew();
        var batchCount = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
        if (_run.IncludeEpochZero)
        {
            network.eval();
            var initial = new QpTrainingProgress(0, _options.NumberOfEpochs, Evaluate(network, train),
                validation is null ? null : Evaluate(network, validation), clock.Elapsed, TimeSpan.Zero);
            EndEpoch(initial, network, snapshot);
        }
        for (var epoch = 1; epoch <= _options.NumberOfEpochs; epoch++)
        {
            network.train();
            shuffler.Shuffle(order);
            var epochClock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            double lossSum = 0;
            var seen = 0;
            for (var batch = 0; batch < batchCount; batch++)
            {
                ThrowIfCanceled();
                var start = batch * _options.BatchSize;
                var rows = order.AsSpan(start, Math.Min(_options.BatchSize, train.Count - start)).ToArray().Select(i => (long)i).ToArray();
                lossSum += TrainStep(network, optimizer, train, rows) * rows.Length;
                seen += rows.Length;
                if (batch + 1 < batchCount && epochClock.Elapsed - lastReport >= _run.BatchProgressInterval)
                {
                    lastReport = epochClock.Elapsed;
                    Report(new QpTrainingProgress(epoch, _options.NumberOfEpochs, lossSum / seen, null, clock.Elapsed, lastReport)
                    {
                        BatchesCompleted = batch + 1,
                        BatchCount = batchCount,
                    });
                }
            }
            var epochTime = epochClock.Elapsed;
            network.eval();
            var validationLoss = validation is null ? (double?)null : Evaluate(network, validation);
            EndEpoch(new QpTrainingProgress(epoch, _options.NumberOfEpochs, lossSum / train.Count, validationLoss, clock.Elapsed, epochTime)
            {
                BatchesCompleted = batchCount,
                BatchCount = batchCount,
            }, network, snapshot);
        }
        network.eval();
    }

    private void EndEpoch(QpTrainingProgress progress, QpNetwork network, Func<QpNetwork, QpLayerTransformer> snapshot)
    {
        Report(progress);
        _run.EpochCallback?.Invoke(new QpTrainingEpoch(progress, snapshot(network)));
    }

    private double TrainStep(QpNetwork network, optim.Optimizer optimizer, TrainingData data, long[] rows)
    {
        // The token also stops the QP solves of a batch between their iterations, not only between batches.
        using var cancellation = SolveCancellation.Scope(_run.CancellationToken);
        using var scope = NewDisposeScope();
        var index = tensor(rows);
        var x = data.Features.index_select(0, index);
        var y = data.Labels.index_select(0, index);
        optimizer.zero_grad();
        var loss = _loss(network.call(x), y);
        var objective = _options.L1Penalty > 0 ? loss + _options.L1Penalty * L1Norm(network) : loss;
        objective.backward();
        optimizer.step();
        return loss.ToDouble();
    }

    private static Tensor L1Norm(QpNetwork network) =>
        network.PenalizedMatrices.Select(m => m.abs().sum()).Aggregate((a, b) => a + b);

    private double Evaluate(QpNetwork network, TrainingData data)
    {
        using var noGrad = no_grad();
        double sum = 0;
        for (var start = 0; start < data.Count; start += _options.BatchSize)
        {
            ThrowIfCanceled();
            using var scope = NewDisposeScope();
            var length = Math.Min(_options.BatchSize, data.Count - start);
            var x = data.Features.narrow(0, start, length);
            var y = data.Labels.narrow(0, start, length);
            sum += _loss(network.call(x), y).ToDouble() * length;
        }
        return sum / data.Count;
    }

    private void ThrowIfCanceled()
    {
        _run.CancellationToken.ThrowIfCancellationRequested();
        if (MlNetInterop.IsCanceled(_environment))
            throw new OperationCanceledException("Training was canceled through the MLContext.");
    }

    private void Report(QpTrainingProgress progress)
    {
        _channel.Info(MessageSensitivity.None, "{0}", progress.ToString());
        _run.Progress?.Report(progress);
    }
}
