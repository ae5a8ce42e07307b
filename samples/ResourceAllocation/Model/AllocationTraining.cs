using DiffOpt.ML;
using DiffOpt.Samples;
using Microsoft.ML;
using ResourceAllocation.Data;
using TorchSharp;

namespace ResourceAllocation.Model;

/// <summary>
/// The two ways of training the same network (features → linear map → predicted returns → allocation layer):
/// two-stage (the MSE of the predicted returns against the realised ones) and decision-focused (the realised cost
/// of the layer's allocation, differentiated through the layer).
/// </summary>
public static class AllocationTraining
{
    /// <summary>Training settings.</summary>
    public sealed record Settings(int Epochs, int BatchSize, double LearningRate, int Seed, IReadOnlyList<int> HiddenSizes);

    /// <summary>The ML.NET pipeline: ConvexLayer trainer with the given loss, writing "Score" (the allocation).</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, AllocationProblem problem, Settings settings, bool decisionFocused, string name)
    {
        var options = new ConvexLayerTrainer.Options
        {
            Problem = problem.Problem,
            Decision = problem.Allocation,
            HiddenLayerSizes = settings.HiddenSizes,
            NumberOfEpochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate,
            Seed = settings.Seed,
            Progress = new SynchronousProgress<QpTrainingProgress>(p =>
                Console.WriteLine(CommandRunner.Invariant($"{name} epoch {p.Epoch}/{p.NumberOfEpochs}: training loss {p.TrainingLoss:F5} ({p.Elapsed.TotalSeconds:F1} s)"))),
        };
        options = decisionFocused
            ? options with { TaskLoss = (decision, returns) => problem.Cost(decision, returns).mean() }
            : options with { ParameterLoss = (predicted, returns) => torch.nn.functional.mse_loss(predicted, returns) };
        return ml.DiffOpt().Trainers.ConvexLayer(options);
    }

    /// <summary>The oracle: the allocation for the true expected returns (column "TrueMean"), written to "Oracle".</summary>
    public static IEstimator<ITransformer> Oracle(MLContext ml, AllocationProblem problem) =>
        ml.Transforms.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = problem.Problem,
            Inputs = [new ParameterColumn(nameof(AllocationRow.TrueMean), problem.Mean)],
            Outputs = [new VariableColumn("Oracle", problem.Allocation)],
            StatusColumnName = "OracleStatus",
        });
}
