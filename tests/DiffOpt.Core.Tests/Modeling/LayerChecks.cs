using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>Shared checks of <see cref="ConvexLayer"/>: tight options and central finite differences of every parameter's gradient.</summary>
internal static class LayerChecks
{
    /// <summary>Tight solver settings for gradient checks.</summary>
    public static readonly ConvexLayerOptions Tight = new()
    {
        Cone = new ConeProgramSolverOptions { Tolerance = 1e-11, RelativeTolerance = 1e-11, MaxIterations = 200 },
        Qp = new QpSolverOptions { Tolerance = 1e-12, RelativeTolerance = 0 },
    };

    /// <summary>
    /// For L = Σ w∘x* (x* the layer's first output) and one random direction D per parameter, asserts
    /// ⟨∇L, D⟩ ≈ (L(θ + tD) − L(θ − tD)) / 2t within <paramref name="tolerance"/> (relative, floor 1e-3). With
    /// <paramref name="fourthOrder"/>, the difference is (8(L(t) − L(−t)) − (L(2t) − L(−2t))) / 12t, whose truncation
    /// error is O(t⁴) instead of O(t²): for solvers whose solution noise calls for a larger step.
    /// </summary>
    public static void FiniteDifferencesMatch(ConvexLayer layer, Tensor[] values, int seed, double tolerance = 1e-5, double step = 1e-5,
        bool fourthOrder = false)
    {
        var generator = new Random(seed);
        var leaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
        var x = layer.forward(leaves)[0];
        var w = RandomLike(x, generator);
        (x * w).sum().backward();
        Assert.All(layer.LastStatus, s => Assert.Equal(SolverStatus.Solved, s));
        for (int i = 0; i < values.Length; i++)
        {
            var D = RandomLike(values[i], generator);
            double analytic = (leaves[i].grad! * D).sum().item<double>();
            double Loss(double t)
            {
                using var _ = no_grad();
                var shifted = values.Select((v, k) => k == i ? v.Plus(D.Times(t)) : v).ToArray();
                return (layer.forward(shifted)[0] * w).sum().item<double>();
            }
            double numeric = fourthOrder
                ? (8 * (Loss(step) - Loss(-step)) - (Loss(2 * step) - Loss(-2 * step))) / (12 * step)
                : (Loss(step) - Loss(-step)) / (2 * step);
            double error = Math.Abs(analytic - numeric) / Math.Max(1e-3, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
            Assert.True(error < tolerance, $"parameter {layer.Parameters[i].Name}: analytic {analytic:G12}, central difference {numeric:G12}, rel. error {error:G3}");
        }
    }

    /// <summary>The entries of <paramref name="t"/> (any shape, row-major) for a failure message.</summary>
    public static string Show(this Tensor t) =>
        "[" + string.Join(", ", t.detach().to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray().Select(v => v.ToString("G10"))) + "]";

    /// <summary>Standard normal entries shaped like <paramref name="like"/> (float64, from <paramref name="random"/>).</summary>
    public static Tensor RandomLike(Tensor like, Random random) =>
        tensor(Enumerable.Range(0, (int)like.numel()).Select(_ => Normal(random)).ToArray(), like.shape, ScalarType.Float64).to(like.dtype);

    /// <summary>A (rows, cols) or (n) tensor of standard normal entries.</summary>
    public static Tensor Randn(Random random, params long[] shape) =>
        tensor(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => Normal(random)).ToArray(), shape, ScalarType.Float64);

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
