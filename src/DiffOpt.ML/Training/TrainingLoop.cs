using System.Diagnostics;
using DiffOpt.ML.Persistence;
using DiffOpt.Native;
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
            // Epoch 0's "batches" are the forward passes that measure the initial training loss.
            var initialLoss = Evaluate(network, train, new InEpochReporter(this, 0, batchCount, clock));
            var initial = new QpTrainingProgress(0, _options.NumberOfEpochs, initialLoss,
                validation is null ? null : Evaluate(network, validation), clock.Elapsed, TimeSpan.Zero)
            {
                BatchesCompleted = batchCount,
                BatchCount = batchCount,
            };
            EndEpoch(initial, network, snapshot);
        }
        for (var epoch = 1; epoch <= _options.NumberOfEpochs; epoch++)
        {
            network.train();
            shuffler.Shuffle(order);
            var reporter = new InEpochReporter(this, epoch, batchCount, clock);
            double lossSum = 0;
            var seen = 0;
            for (var batch = 0; batch < batchCount; batch++)
            {
                ThrowIfCanceled();
                var start = batch * _options.BatchSize;
                var rows = order.AsSpan(start, Math.Min(_options.BatchSize, train.Count - start)).ToArray().Select(i => (long)i).ToArray();
                lossSum += TrainStep(network, optimizer, train, rows) * rows.Length;
                seen += rows.Length;
                reporter.AfterBatch(batch + 1, lossSum / seen);
            }
            var epochTime = reporter.Elapsed;
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

    private double TrainStep(QpNetwork network, ParameterUpdate optimizer, TrainingData data, long[] rows)
    {
        // The token also stops the QP solves of a batch between their iterations, not only between batches.
        using var cancellation = SolveCancellation.Scope(_run.CancellationToken);
        using var scope = NewDisposeScope();
        var index = tensor(rows);
        var x = data.Features.index_select(0, index);
        var y = data.Labels.index_select(0, index);
        optimizer.ZeroGrad();
        var loss = _loss(network.call(x), y);
        var objective = _options.L1Penalty > 0 ? loss.Plus(L1Norm(network).Times(_options.L1Penalty)) : loss;
        objective.backward();
        optimizer.Step();
        using var value = loss.ToScalar();
        return value.ToDouble();
    }

    private static Tensor L1Norm(QpNetwork network) =>
        network.PenalizedMatrices.Select(m => m.abs().sum()).Aggregate((a, b) => a.Plus(b));

    private double Evaluate(QpNetwork network, TrainingData data, InEpochReporter? reporter = null)
    {
        using var noGrad = no_grad();
        double sum = 0;
        var batches = 0;
        for (var start = 0; start < data.Count; start += _options.BatchSize)
        {
            ThrowIfCanceled();
            using var scope = NewDisposeScope();
            var length = Math.Min(_options.BatchSize, data.Count - start);
            var x = data.Features.narrow(0, start, length);
            var y = data.Labels.narrow(0, start, length);
            using var value = _loss(network.call(x), y).ToScalar();
            sum += value.ToDouble() * length;
            reporter?.AfterBatch(++batches, sum / (start + length));
        }
        return sum / data.Count;
    }

    /// <summary>
    /// Reports progress within one epoch, at most every <see cref="TrainingRun.BatchProgressInterval"/> and never after
    /// the epoch's last batch (the end-of-epoch report follows it).
    /// </summary>
    private sealed class InEpochReporter(TrainingLoop loop, int epoch, int batchCount, Stopwatch trainingClock)
    {
        private readonly Stopwatch _epochClock = Stopwatch.StartNew();
        private TimeSpan _lastReport;

        public TimeSpan Elapsed => _epochClock.Elapsed;

        public void AfterBatch(int completed, double lossSoFar)
        {
            if (completed >= batchCount || _epochClock.Elapsed - _lastReport < loop._run.BatchProgressInterval)
                return;
            _lastReport = _epochClock.Elapsed;
            loop.Report(new QpTrainingProgress(epoch, loop._options.NumberOfEpochs, lossSoFar, null, trainingClock.Elapsed, _lastReport)
            {
                BatchesCompleted = completed,
                BatchCount = batchCount,
            });
        }
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
