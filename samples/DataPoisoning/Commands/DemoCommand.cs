using System.CommandLine;
using System.Diagnostics;
using DataPoisoning.Attack;
using DataPoisoning.Data;
using DataPoisoning.Model;
using DataPoisoning.Plotting;
using DiffOpt.Samples;
using static TorchSharp.torch;

namespace DataPoisoning.Commands;

/// <summary>
/// The no-argument run: the 2-feature case (gradient, finite-difference check, attack, ML.NET pipeline, plot),
/// then the larger case's time per gradient.
/// </summary>
internal static class DemoCommand
{
    public static RootCommand Create()
    {
        var output = new Option<string>("--output") { Description = "Folder for the plot and the model file", DefaultValueFactory = _ => Path.Combine("out", "DataPoisoning") };
        var seed = new Option<int>("--seed") { Description = "Seed of the data", DefaultValueFactory = _ => 0 };
        var points = new Option<int>("--points") { Description = "Points of the 2-feature case (half train, half test)", DefaultValueFactory = _ => 60 };
        var attacked = new Option<int>("--attack-points") { Description = "Training points the attack moves (k)", DefaultValueFactory = _ => 3 };
        var budget = new Option<double>("--budget") { Description = "How far each attacked point may move (Euclidean)", DefaultValueFactory = _ => 1.0 };
        var steps = new Option<int>("--steps") { Description = "Gradient-ascent steps of the attack", DefaultValueFactory = _ => 10 };
        var regularisation = new Option<double>("--lambda") { Description = "λ = μ, the weight of ‖θ‖₁ and of ‖θ‖² (2-feature case)", DefaultValueFactory = _ => 0.01 };
        var bigPoints = new Option<int>("--big-points") { Description = "Training points of the larger case (cvxpylayers' logistic benchmark: 100)", DefaultValueFactory = _ => 100 };
        var bigFeatures = new Option<int>("--big-features") { Description = "Features of the larger case (10)", DefaultValueFactory = _ => 10 };
        var repeats = new Option<int>("--repeats") { Description = "Timed gradients of the larger case (the median is reported)", DefaultValueFactory = _ => 5 };
        var fdStep = new Option<double>("--fd-step") { Description = "Step h of the central finite differences (the solver's accuracy makes smaller steps noisier)", DefaultValueFactory = _ => 1e-2 };
        var root = new RootCommand("Data poisoning through a logistic-regression convex layer (cvxpylayers sec. 6); run with no arguments for the demo")
            { output, seed, points, attacked, budget, steps, regularisation, bigPoints, bigFeatures, repeats, fdStep };
        root.SetAction(r => CommandRunner.Run(() => Run(new Settings(r.GetValue(output)!, r.GetValue(seed), r.GetValue(points), r.GetValue(attacked),
            r.GetValue(budget), r.GetValue(steps), r.GetValue(regularisation), r.GetValue(bigPoints), r.GetValue(bigFeatures), r.GetValue(repeats), r.GetValue(fdStep)))));
        return root;
    }

    private sealed record Settings(string Folder, int Seed, int Points, int Attacked, double Budget, int Steps, double Lambda,
        int BigPoints, int BigFeatures, int Repeats, double FdStep);

    private static int Run(Settings s)
    {
        if (s.Points < 4) throw new SampleException($"--points must be at least 4, got {s.Points}");
        if (s.Attacked < 1 || s.Attacked > s.Points / 2) throw new SampleException($"--attack-points must be in [1, {s.Points / 2}], got {s.Attacked}");
        if (!(s.Budget > 0) || !(s.Lambda > 0) || !(s.FdStep > 0)) throw new SampleException("--budget, --lambda and --fd-step must be positive");
        if (s.Steps < 1 || s.Repeats < 1) throw new SampleException("--steps and --repeats must be positive");
        if (s.BigPoints < 2 || s.BigFeatures < 1) throw new SampleException("--big-points must be at least 2 and --big-features at least 1");

        var (train, test) = PoisoningData.Generate(s.Points, 2, s.Seed);
        Console.WriteLine($"2-feature case: {train.Count} training and {test.Count} test points, lambda = mu = {s.Lambda}");
        using var layer = new LogisticLayer(train.Labels, 2, s.Lambda, s.Lambda);
        var clock = Stopwatch.StartNew();
        var (loss, gradient) = GradientCheck.Gradient(layer, train.Features, test);
        Console.WriteLine(CommandRunner.Invariant($"test loss {loss:F6}; gradient w.r.t. all {train.Count} training points in {clock.Elapsed.TotalMilliseconds:F0} ms"));
        var fd = GradientCheck.FiniteDifferences(layer, train.Features, test, s.FdStep);
        double error = GradientCheck.RelativeError(gradient, fd);
        Console.WriteLine(CommandRunner.Invariant($"finite-difference check (central, h = {s.FdStep}, {fd.numel() * 2} solves): relative error {error:E2}, max abs error {(gradient - fd).abs().max().item<double>():E2}"));

        Console.WriteLine($"attack: moving the {s.Attacked} points with the largest gradient, budget {s.Budget} each, {s.Steps} steps");
        var attack = PoisoningAttack.Run(layer, train, test, s.Attacked, s.Budget, s.Steps);
        Console.WriteLine(CommandRunner.Invariant(
            $"test loss: before {attack.LossBefore:F6}, predicted (first order) {attack.LossPredicted:F6}, realised {attack.LossRealised:F6}"));

        string modelPath = Path.Combine(s.Folder, "logistic-regression.zip");
        var classifiers = ClassifierPipeline.FitAll(layer, [train.Features, attack.Poisoned], modelPath);
        Console.WriteLine(CommandRunner.Invariant(
            $"ML.NET pipeline (SolveConvex, saved to {modelPath} and reloaded): test loss clean {ClassifierPipeline.TestLoss(classifiers[0], test):F6}, poisoned {ClassifierPipeline.TestLoss(classifiers[1], test):F6}"));
        string plotPath = Path.Combine(s.Folder, "poisoning.png");
        PoisoningPlot.Save(plotPath, train, test, gradient, attack.Poisoned, attack.Points, classifiers[0], classifiers[1]);
        Console.WriteLine($"plot: {plotPath}");

        TimeLargerCase(s);
        return 0;
    }

    /// <summary>cvxpylayers' logistic benchmark (λ = μ = 0.1): the median time of one gradient w.r.t. all training points.</summary>
    private static void TimeLargerCase(Settings s)
    {
        var (train, test) = PoisoningData.Generate(2 * s.BigPoints, s.BigFeatures, s.Seed + 1);
        using var layer = new LogisticLayer(train.Labels, s.BigFeatures, 0.1, 0.1);
        GradientCheck.Gradient(layer, train.Features, test); // warm-up (compilation, first solve)
        var times = new List<double>();
        for (int r = 0; r < s.Repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            GradientCheck.Gradient(layer, train.Features, test);
            times.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine(CommandRunner.Invariant($"larger case: gradient {r + 1}/{s.Repeats} in {times[^1]:F0} ms"));
        }
        times.Sort();
        Console.WriteLine(CommandRunner.Invariant(
            $"larger case ({train.Count} points x {s.BigFeatures} features): median {times[times.Count / 2]:F0} ms per gradient (forward + backward, {get_num_threads()} thread(s))"));
    }
}
