using System.CommandLine;
using DiffOpt.Samples;
using Microsoft.ML;
using ResourceAllocation.Data;
using ResourceAllocation.Model;
using ResourceAllocation.Plotting;

namespace ResourceAllocation.Commands;

/// <summary>
/// The no-argument run: generate data, train the same network two-stage and decision-focused through the
/// allocation layer (both in ML.NET pipelines; the decision-focused model is saved and reloaded), measure regret on
/// held-out rows, plot.
/// </summary>
internal static class DemoCommand
{
    public static RootCommand Create()
    {
        var output = new Option<string>("--output") { Description = "Folder for the plot and the model file", DefaultValueFactory = _ => Path.Combine("out", "ResourceAllocation") };
        var seed = new Option<int>("--seed") { Description = "Seed of the data and the networks", DefaultValueFactory = _ => 0 };
        var trainCount = new Option<int>("--train") { Description = "Training rows", DefaultValueFactory = _ => 1000 };
        var testCount = new Option<int>("--test") { Description = "Held-out rows", DefaultValueFactory = _ => 1000 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of each training", DefaultValueFactory = _ => 30 };
        var batch = new Option<int>("--batch") { Description = "Rows per mini-batch", DefaultValueFactory = _ => 40 };
        var rate = new Option<double>("--learning-rate") { Description = "Adam's step size", DefaultValueFactory = _ => 0.02 };
        var root = new RootCommand("Predict-then-optimize resource allocation: two-stage vs decision-focused training through a convex layer (run with no arguments for the demo)")
            { output, seed, trainCount, testCount, epochs, batch, rate };
        root.SetAction(r => CommandRunner.Run(() => Run(r.GetValue(output)!, r.GetValue(seed), r.GetValue(trainCount), r.GetValue(testCount),
            new AllocationTraining.Settings(r.GetValue(epochs), r.GetValue(batch), r.GetValue(rate), r.GetValue(seed) + 1, []))));
        return root;
    }

    private static int Run(string folder, int seed, int trainCount, int testCount, AllocationTraining.Settings settings)
    {
        if (trainCount < 2 || testCount < 1) throw new SampleException($"--train must be at least 2 and --test at least 1; got {trainCount} and {testCount}");
        var ml = new MLContext(seed: seed);
        var rows = AllocationData.Generate(trainCount + testCount, seed);
        var train = ml.Data.LoadFromEnumerable(rows.Take(trainCount));
        var test = ml.Data.LoadFromEnumerable(rows.Skip(trainCount));
        var problem = new AllocationProblem(AllocationRow.ResourceCount);
        Console.WriteLine($"{trainCount} training and {testCount} held-out periods, {AllocationRow.ResourceCount} resources, {AllocationRow.FeatureCount} features; linear predictor");
        var oracle = AllocationTraining.Oracle(ml, problem).Fit(test);

        var twoStage = CommandRunner.Checked(() => AllocationTraining.Pipeline(ml, problem, settings, decisionFocused: false, "two-stage")).Fit(train);
        var twoStageReport = RegretReport.Measure(ml, oracle.Transform(twoStage.Transform(test)), problem);

        var focused = CommandRunner.Checked(() => AllocationTraining.Pipeline(ml, problem, settings, decisionFocused: true, "decision-focused")).Fit(train);
        string modelPath = Path.Combine(folder, "decision-focused.zip");
        OutputFolder.EnsureFor(modelPath);
        ml.Model.Save(focused, train.Schema, modelPath);
        var reloaded = ml.Model.Load(modelPath, out _);
        var focusedReport = RegretReport.Measure(ml, oracle.Transform(reloaded.Transform(test)), problem);
        Console.WriteLine($"decision-focused model saved to {modelPath} and reloaded for evaluation");

        foreach (var (name, report) in new[] { ("two-stage (MSE)", twoStageReport), ("decision-focused", focusedReport) })
            Console.WriteLine(CommandRunner.Invariant(
                $"{name}: mean regret {report.MeanRegret:F4}, realised cost {report.MeanRealisedCost:F4} (oracle {report.OracleRealisedCost:F4}), return-prediction MSE {report.PredictionMse:F4}, unsolved {report.Unsolved}"));
        string plotPath = Path.Combine(folder, "regret.png");
        RegretPlot.Save(plotPath, [("two-stage (MSE)", twoStageReport.MeanRegret), ("decision-focused", focusedReport.MeanRegret)]);
        Console.WriteLine($"plot: {plotPath}");
        Console.WriteLine(CommandRunner.Invariant($"held-out mean regret: two-stage {twoStageReport.MeanRegret:F4}, decision-focused {focusedReport.MeanRegret:F4}"));
        return 0;
    }
}
