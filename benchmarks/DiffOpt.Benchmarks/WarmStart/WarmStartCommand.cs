using System.CommandLine;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.WarmStart;

/// <summary>
/// <c>warm-start --batch B --n N --m M --p P --seed S</c>: iterations saved by <see cref="QpWarmStart"/>. Solves a
/// seeded batch of strictly convex, feasible QPs (Q = LLᵀ/n + 0.1 I, h = G z₀ + slack, b = A z₀), perturbs p and h
/// by relative amounts 1e-6 … 1e-1, and solves the perturbed batch cold and warm-started from the first solution.
/// </summary>
public static class WarmStartCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var n = new Option<int>("--n") { Description = "Variables.", DefaultValueFactory = _ => 30 };
        var m = new Option<int>("--m") { Description = "Inequality rows.", DefaultValueFactory = _ => 40 };
        var p = new Option<int>("--p") { Description = "Equality rows.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 11 };
        var command = new Command("warm-start", "Iterations saved by warm-starting from the solution of a slightly different batch.")
        {
            batch, n, m, p, seed,
        };
        command.SetAction(parse => Run(parse.GetValue(batch), parse.GetValue(n), parse.GetValue(m), parse.GetValue(p), parse.GetValue(seed)));
        return command;
    }

    private static int Run(int batch, int n, int m, int k, int seed)
    {
        manual_seed(seed);
        var dt = ScalarType.Float64;
        var l = randn(batch, n, n, dtype: dt);
        var q = l.bmm(l.mT) / n + 0.1 * eye(n, dtype: dt);
        var z0 = randn(batch, n, dtype: dt);
        var g = randn(batch, m, n, dtype: dt);
        var h = g.bmm(z0.unsqueeze(-1)).squeeze(-1) + rand(batch, m, dtype: dt);
        var a = randn(batch, k, n, dtype: dt);
        var b = a.bmm(z0.unsqueeze(-1)).squeeze(-1);
        var p = randn(batch, n, dtype: dt);
        var solver = new QpSolver();
        var first = solver.Solve(q, p, g, h, a, b);
        Console.WriteLine($"warm-start: B={batch} n={n} m={m} p={k} seed={seed}; mean iterations per item (all items Solved unless noted)");
        Console.WriteLine("perturbation   cold   warm   saved   max |z_warm - z_cold|");
        foreach (double size in new[] { 1e-6, 1e-4, 1e-2, 1e-1 })
        {
            var p2 = p + size * p.abs().max() * randn_like(p);
            var h2 = h + size * h.abs().max() * rand_like(h);
            var cold = solver.Solve(q, p2, g, h2, a, b);
            var warm = solver.Solve(q, p2, g, h2, a, b, QpWarmStart.From(first));
            double coldMean = cold.Iterations.Average(), warmMean = warm.Iterations.Average();
            string note = cold.AllSolved && warm.AllSolved ? "" : "  (not all Solved)";
            Console.WriteLine($"{size,12:E0}  {coldMean,5:F2}  {warmMean,5:F2}  {1 - warmMean / coldMean,6:P0}   {(warm.X - cold.X).abs().max().item<double>():E1}{note}");
        }
        return 0;
    }
}
