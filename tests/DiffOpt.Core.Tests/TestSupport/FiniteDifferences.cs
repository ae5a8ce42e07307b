using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>One directional derivative of L = Σ w∘z* along a perturbation of one argument.</summary>
internal sealed record GradientComparison(QpArg Arg, double Analytic, double Numeric)
{
    /// <summary>Below this magnitude the error is measured absolutely (a derivative that should be ~0).</summary>
    public const double Floor = 1e-3;

    /// <summary>|analytic − numeric| / max(|analytic|, |numeric|, <see cref="Floor"/>).</summary>
    public double RelativeError => Math.Abs(Analytic - Numeric) / Math.Max(Math.Max(Math.Abs(Analytic), Math.Abs(Numeric)), Floor);

    public override string ToString() => $"{Arg}: analytic {Analytic:G12}, central difference {Numeric:G12}, rel. error {RelativeError:G3}";
}

/// <summary>
/// Central finite-difference checks of the gradients <see cref="QpFunction"/> returns, for the loss
/// L = Σ w∘z*(Q, p, G, h, A, b): for a direction D of one argument, ⟨∇L, D⟩ is compared with
/// (L(θ + tD) − L(θ − tD)) / 2t (error O(t²) plus solver inaccuracy / t, hence the tight solve).
/// All perturbed problems are solved together as one batch (items are independent).
/// </summary>
internal static class FiniteDifferences
{
    public const double Step = 1e-5;

    /// <summary>Forward-solve options for finite differences: absolute tolerance 1e-12, no relative test.</summary>
    public static readonly QpSolverOptions Tight = new() { Tolerance = 1e-12, RelativeTolerance = 0 };

    /// <summary>
    /// Gradients of L = Σ w∘z through <see cref="QpFunction.Apply"/> for the arguments in <paramref name="args"/>
    /// (the others do not require grad); asserts each has its argument's shape, dtype and device.
    /// </summary>
    public static Dictionary<QpArg, Tensor> Gradients(QpTensors point, Tensor weights, QpSolverOptions options, params QpArg[] args)
    {
        var leaves = point.Leaves(args);
        var z = leaves.Apply(options);
        (z * weights).sum().backward();
        var result = new Dictionary<QpArg, Tensor>();
        foreach (var arg in QpTensors.AllArgs)
        {
            var leaf = leaves[arg];
            if (leaf is null) continue;
            if (!args.Contains(arg))
            {
                Assert.Null(leaf.grad);
                continue;
            }
            var grad = leaf.grad;
            Assert.NotNull(grad);
            Assert.Equal(leaf.shape, grad!.shape);
            Assert.Equal(leaf.dtype, grad.dtype);
            Assert.Equal(leaf.device_type, grad.device_type);
            result[arg] = grad.detach();
        }
        return result;
    }

    /// <summary>Compares analytic and central-difference directional derivatives for every (argument, direction) pair.</summary>
    public static IReadOnlyList<GradientComparison> Compare(QpTensors point, Tensor weights,
        IReadOnlyList<(QpArg Arg, Tensor Direction)> directions, QpSolverOptions? options = null, double step = Step)
    {
        options ??= Tight;
        var grads = Gradients(point, weights, options, directions.Select(d => d.Arg).Distinct().ToArray());
        var numeric = CentralDifferences(point, weights, directions, options, step);
        return directions.Select((d, j) => new GradientComparison(d.Arg, (grads[d.Arg] * d.Direction).sum().item<double>(), numeric[j])).ToList();
    }

    /// <summary>(L(θ + tD_j) − L(θ − tD_j)) / 2t for every direction, from one batched solve of all 2J perturbed problems.</summary>
    public static double[] CentralDifferences(QpTensors point, Tensor weights,
        IReadOnlyList<(QpArg Arg, Tensor Direction)> directions, QpSolverOptions options, double step)
    {
        using var noGrad = no_grad();
        int batch = point.BatchSize();
        var expanded = point.Expanded(batch);
        var perturbed = new List<QpTensors>();
        foreach (var (arg, direction) in directions)
            foreach (double sign in new[] { 1.0, -1.0 })
                perturbed.Add(expanded.With(arg, expanded[arg]!.Plus(direction.Times(sign * step))));
        var all = QpTensors.FromArray(QpTensors.AllArgs
            .Select(a => expanded[a] is null ? null : cat(perturbed.Select(p => p[a]!).ToArray()))
            .ToArray());
        var solution = all.Solve(options);
        Assert.True(solution.AllSolved, "Finite differences need every perturbed problem solved: " + string.Join(", ", solution.Status));
        var losses = (solution.X.view(2 * directions.Count, batch, -1) * weights).sum([1, 2]).cpu().data<double>().ToArray();
        return Enumerable.Range(0, directions.Count).Select(j => (losses[2 * j] - losses[2 * j + 1]) / (2 * step)).ToArray();
    }

    /// <summary>
    /// <paramref name="count"/> standard-normal directions per argument, shaped like the argument; symmetric for Q
    /// (the solver's domain).
    /// </summary>
    public static List<(QpArg Arg, Tensor Direction)> RandomDirections(QpTensors point, ProblemGenerator random, int count, params QpArg[] args)
    {
        var result = new List<(QpArg, Tensor)>();
        foreach (var arg in args)
        {
            var t = point[arg] ?? throw new ArgumentException($"Argument {arg} is absent.");
            for (int c = 0; c < count; c++)
            {
                var d = tensor(Enumerable.Range(0, (int)t.numel()).Select(_ => random.Normal()).ToArray(), t.shape, ScalarType.Float64).to(t.dtype);
                result.Add((arg, arg == QpArg.Q ? d.Plus(d.transpose(-1, -2)).Times(0.5) : d));
            }
        }
        return result;
    }

    /// <summary>Standard-normal loss weights w of shape (B, n).</summary>
    public static Tensor RandomWeights(QpTensors point, ProblemGenerator random)
    {
        long n = point.P.shape[^1];
        int batch = point.BatchSize();
        return tensor(Enumerable.Range(0, (int)(batch * n)).Select(_ => random.Normal()).ToArray(), [batch, n], ScalarType.Float64).to(point.P.dtype);
    }
}
