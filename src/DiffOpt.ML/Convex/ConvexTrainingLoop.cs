using System.Diagnostics;
using DiffOpt.ML.Persistence;
using DiffOpt.ML.Training;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.ML.Convex;

/// <summary>
/// Mini-batch training of a <see cref="ConvexNetwork"/>: shuffled batches, one dispose scope per batch, items
/// without a solution masked out of the loss, progress after every epoch.
/// </summary>
internal sealed class ConvexTrainingLoop(ConvexLayerTrainer.Options options, IHostEnvironment environment, IChannel channel)
{
    public void Run(ConvexNetwork network, TrainingData train, int seed)
    {
        var parameters = network.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = OptimizerFactory.Create(options.Optimizer, parameters, options.LearningRate);
        var shuffler = new Random(seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= options.NumberOfEpochs; epoch++)
        {
            network.train();
            shuffler.Shuffle(order);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            int counted = 0;
            for (int start = 0; start < train.Count; start += options.BatchSize)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                if (MlNetInterop.IsCanceled(environment))
                    throw new OperationCanceledException("Training was canceled through the MLContext.");
                var rows = order.Skip(start).Take(options.BatchSize).Select(i => (long)i).ToArray();
                if (Step(network, optimizer, train, rows) is { } loss)
                {
                    lossSum += loss * rows.Length;
                    counted += rows.Length;
                }
            }
            network.eval();
            var progress = new QpTrainingProgress(epoch, options.NumberOfEpochs, counted == 0 ? double.NaN : lossSum / counted, null,
                clock.Elapsed, epochClock.Elapsed);
            channel.Info(MessageSensitivity.None, "{0}", progress.ToString());
            options.Progress?.Report(progress);
        }
        network.eval();
    }

    /// <summary>One optimizer step on the solved items of a batch; null when none was solved.</summary>
    private double? Step(ConvexNetwork network, ParameterUpdate optimizer, TrainingData data, long[] rows)
    {
        using var scope = NewDisposeScope();
        var index = tensor(rows);
        var x = data.Features.index_select(0, index);
        var y = data.Labels.index_select(0, index);
        var fed = data.Extra?.index_select(0, index);
        optimizer.ZeroGrad();
        var theta = network.PredictParameters(x);
        Tensor loss;
        if (options.TaskLoss is null && options.ParameterLoss is { } parameterLoss)
            loss = parameterLoss(theta, y);
        else
        {
            var decision = network.Decide(theta, fed);
            var solved = network.LastStatus.Select((s, i) => (s, i)).Where(t => t.s.HasSolution()).Select(t => (long)t.i).ToArray();
            if (solved.Length == 0) return null;
            var keep = tensor(solved);
            var (d, t) = (decision.index_select(0, keep), y.index_select(0, keep));
            loss = options.TaskLoss is { } task ? task(d, t) : nn.functional.mse_loss(d, t);
        }
        if (loss.numel() != 1)
            throw new InvalidOperationException($"The loss function returned a tensor of shape [{string.Join(", ", loss.shape)}]; it must return a scalar.");
        double value;
        using (var item = loss.ToScalar()) value = item.ToDouble();
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"The training loss became {value}; lower the learning rate or check the loss function.");
        loss.backward();
        optimizer.Step();
        return value;
    }
}
