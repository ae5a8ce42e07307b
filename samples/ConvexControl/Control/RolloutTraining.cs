using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvexControl.Control;

/// <summary>
/// Tunes the policy by stochastic gradient descent on the simulated cost: each iteration runs the same
/// <c>rollouts</c> noise sequences (common random numbers, so the cost curve is smooth) from x₀ = 0 for
/// <c>horizon</c> steps, averages the stage cost over time and rollouts, and differentiates it through every
/// policy solve back to (P_sqrt, P₂₁, q). The paper uses SGD with step 0.02 and momentum 0.9.
/// </summary>
public static class RolloutTraining
{
    /// <summary>The average cost of the policy over fixed noise (rollouts, horizon, n); differentiable in the parameters.</summary>
    public static Tensor AverageCost(LinearSystem system, AdpPolicy policy, PolicyParameters parameters, Tensor noise)
    {
        long rollouts = noise.shape[0], horizon = noise.shape[1];
        var x = zeros(rollouts, system.N, dtype: ScalarType.Float64);
        Tensor cost = zeros(rollouts, dtype: ScalarType.Float64);
        for (int t = 0; t < horizon; t++)
        {
            var u = policy.Act(x, parameters);
            cost = cost.Plus(system.StageCost(x, u));
            x = x.matmul(system.A.t()).Plus(u.matmul(system.B.t())).Plus(noise.select(1, t).Times(system.NoiseScale));
        }
        return ScalarSafeOperations.With(horizon, steps => cost.div(steps)).mean();
    }

    /// <summary>Runs <paramref name="iterations"/> SGD steps; returns the cost before each step and after the last.</summary>
    public static List<double> Train(LinearSystem system, AdpPolicy policy, PolicyParameters parameters, int rollouts, int horizon,
        int iterations, double learningRate, int seed, Action<int, double>? progress = null)
    {
        using var generator = new Generator((ulong)seed);
        var noise = randn([rollouts, horizon, system.N], dtype: ScalarType.Float64, generator: generator);
        foreach (var p in parameters.All) p.requires_grad_(true);
        using var optimizer = optim.SGD(parameters.All.Select(p => (TorchSharp.Modules.Parameter)p).ToArray(), learningRate, momentum: 0.9);
        var costs = new List<double>();
        for (int i = 0; i <= iterations; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var cost = AverageCost(system, policy, parameters, noise);
            costs.Add(cost.item<double>());
            progress?.Invoke(i, costs[^1]);
            if (i == iterations) break;
            cost.backward();
            optimizer.step();
        }
        return costs;
    }
}
