using System.CommandLine;
using System.Diagnostics;
using ConvexControl.Control;
using ConvexControl.Plotting;
using DiffOpt.Samples;
using static TorchSharp.torch;

namespace ConvexControl.Commands;

/// <summary>
/// The no-argument run: the paper's setup (n = 2, m = 3, 8 rollouts of 25 steps, 100 SGD steps), the cost per
/// iteration, the trained policy served through an ML.NET pipeline, and the plot.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The paper's average cost of the LQR-initialised policy and of the trained one.</summary>
    public const double PublishedStart = 1.519, PublishedEnd = 0.91;

    public static RootCommand Create()
    {
        var output = new Option<string>("--output") { Description = "Folder for the plot and the model file", DefaultValueFactory = _ => Path.Combine("out", "ConvexControl") };
        var seed = new Option<int>("--seed") { Description = "Seed of the system and of the noise", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations") { Description = "SGD steps (paper: 100)", DefaultValueFactory = _ => 100 };
        var rollouts = new Option<int>("--rollouts") { Description = "Simulated rollouts per step (paper: 8)", DefaultValueFactory = _ => 8 };
        var horizon = new Option<int>("--horizon") { Description = "Steps per rollout (paper: 25)", DefaultValueFactory = _ => 25 };
        var rate = new Option<double>("--learning-rate") { Description = "SGD step size, momentum 0.9 (paper: 0.02)", DefaultValueFactory = _ => 0.02 };
        var root = new RootCommand("Learning a convex optimization control policy (ADP, Agrawal et al. 2020) by differentiating rollouts (run with no arguments for the demo)")
            { output, seed, iterations, rollouts, horizon, rate };
        root.SetAction(r => CommandRunner.Run(() => Run(r.GetValue(output)!, r.GetValue(seed), r.GetValue(iterations), r.GetValue(rollouts),
            r.GetValue(horizon), r.GetValue(rate))));
        return root;
    }

    private static int Run(string folder, int seed, int iterations, int rollouts, int horizon, double rate)
    {
        if (iterations < 0 || rollouts < 1 || horizon < 1) throw new SampleException("--iterations must be ≥ 0, --rollouts and --horizon ≥ 1");
        if (!(rate > 0)) throw new SampleException($"--learning-rate must be positive, got {rate}");
        var system = LinearSystem.Generate(seed);
        using var policy = new AdpPolicy(system.N, system.M);
        var parameters = PolicyParameters.Lqr(system);
        Console.WriteLine($"system: {system.N} states, {system.M} controls; {rollouts} rollouts x {horizon} steps; {iterations} SGD steps (step {rate}, momentum 0.9)");
        var clock = Stopwatch.StartNew();
        var costs = RolloutTraining.Train(system, policy, parameters, rollouts, horizon, iterations, rate, seed + 1000,
            (i, c) => { if (i % 10 == 0 || i == iterations) Console.WriteLine(CommandRunner.Invariant($"iteration {i}: average cost {c:F4} ({clock.Elapsed.TotalSeconds:F0} s)")); });

        using var states = randn([5, system.N], dtype: ScalarType.Float64, generator: new Generator((ulong)seed + 2000));
        double[][] served = PolicyPipeline.Controls(policy, parameters, states, Path.Combine(folder, "policy.zip"));
        double difference;
        using (no_grad())
        {
            var direct = policy.Act(states, parameters).data<double>().ToArray();
            difference = served.SelectMany(u => u).Zip(direct, (a, b) => Math.Abs(a - b)).Max();
        }
        Console.WriteLine(CommandRunner.Invariant($"ML.NET pipeline (SolveConvex, saved and reloaded) serves the trained policy: max difference from the layer {difference:E1} on 5 states"));
        string plotPath = Path.Combine(folder, "cost.png");
        CostPlot.Save(plotPath, costs, PublishedStart, PublishedEnd);
        Console.WriteLine($"plot: {plotPath}");
        Console.WriteLine(CommandRunner.Invariant($"average cost: ours {costs[0]:F3} -> {costs[^1]:F3}, published {PublishedStart} -> {PublishedEnd}"));
        return 0;
    }
}
