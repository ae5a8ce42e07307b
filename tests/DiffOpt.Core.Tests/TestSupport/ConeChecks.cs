using DiffOpt.Cones;
using DiffOpt.Native;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Checks shared by the cone tests: Moreau's decomposition with independent membership tests, derivatives against
/// central differences, the derivative operator's structure, and the step to the boundary. Each returns the worst
/// error it measured and logs it.
/// </summary>
internal static class ConeChecks
{
    /// <summary>Step of the central differences, times max(1, ‖v‖∞).</summary>
    public const double Step = 1e-6;

    /// <summary>A (B, n) float64 tensor of the rows.</summary>
    public static Tensor Batch(IReadOnlyList<double[]> rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Count, rows[0].Length], ScalarType.Float64);

    /// <summary>The rows of a (B, n) tensor as float64 arrays.</summary>
    public static double[][] Rows(Tensor t)
    {
        var data = t.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        int n = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(i => data.AsSpan(i * n, n).ToArray()).ToArray();
    }

    /// <summary>
    /// Asserts Moreau's decomposition for every item of v: with p = Π_K(v) and d = Π_K*(−v), v = p − d, p ∈ K, d ∈ K*
    /// and ⟨p, d⟩ = 0, each to <paramref name="tolerance"/> relative to max(1, ‖v‖) (‖v‖² for the inner product).
    /// Membership uses the caller's violation measures (independent of the code under test; 0 when inside).
    /// Logs each item of a small batch and the worst error.
    /// </summary>
    public static double AssertMoreau(ICone cone, Tensor v, Func<double[], double> primalViolation, Func<double[], double> dualViolation,
        double tolerance, ITestOutputHelper output)
    {
        var p = Rows(cone.Project(v));
        var d = Rows(cone.ProjectDual(-v));
        var x = Rows(v);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double scale = Math.Max(1, Norm(x[i]));
            double identity = x[i].Select((xj, j) => Math.Abs(xj - p[i][j] + d[i][j])).Max() / scale;
            double gap = Math.Abs(p[i].Select((pj, j) => pj * d[i][j]).Sum()) / (scale * scale);
            double primal = primalViolation(p[i]) / scale, dual = dualViolation(d[i]) / scale;
            if (x.Length <= 20)
                output.WriteLine($"item {i}: v − p + d {identity:E2}, ⟨p, d⟩ {gap:E2}, p ∉ K {primal:E2}, d ∉ K* {dual:E2}");
            foreach (var (what, error) in new[] { ("v = p − d", identity), ("<p, d> = 0", gap), ("p in K", primal), ("d in K*", dual) })
            {
                Assert.True(error <= tolerance, $"item {i}: {what} off by {error:G3} > {tolerance:G3}; v = [{string.Join(", ", x[i])}]");
                worst = Math.Max(worst, error);
            }
        }
        output.WriteLine($"Moreau decomposition over {x.Length} items: worst relative error {worst:E2}");
        return worst;
    }

    /// <summary>
    /// Asserts that every row of <paramref name="actual"/> matches <paramref name="expected"/> (an independent
    /// computation) to <paramref name="tolerance"/> relative to max(1, ‖v‖) of the input row; returns the worst error.
    /// </summary>
    public static double AssertRowsMatch(Tensor v, Tensor actual, IReadOnlyList<double[]> expected, double tolerance,
        ITestOutputHelper output, string what)
    {
        var input = Rows(v);
        var rows = Rows(actual);
        double worst = 0;
        for (int i = 0; i < input.Length; i++)
            worst = Math.Max(worst, expected[i].Select((e, j) => Math.Abs(e - rows[i][j])).Max() / Math.Max(1, Norm(input[i])));
        output.WriteLine($"{what}: worst relative error {worst:E2}");
        Assert.True(worst <= tolerance, $"{what}: off by {worst:G3} > {tolerance:G3}");
        return worst;
    }

    /// <summary>
    /// Asserts <see cref="AssertMatchesFiniteDifferences"/> for ProjectDerivative against Project and for
    /// ProjectDualDerivative against ProjectDual at v.
    /// </summary>
    public static void AssertDerivativesMatchFiniteDifferences(ICone cone, Tensor v, double tolerance, ITestOutputHelper output)
    {
        AssertMatchesFiniteDifferences(cone.Project, cone.ProjectDerivative(v), v, tolerance, output, $"{cone} projection");
        AssertMatchesFiniteDifferences(cone.ProjectDual, cone.ProjectDualDerivative(v), v, tolerance, output, $"{cone} dual projection");
    }

    /// <summary>Asserts <see cref="AssertOperatorStructure"/> for ProjectDerivative and ProjectDualDerivative at v.</summary>
    public static void AssertDerivativesStructure(ICone cone, Tensor v, double tolerance, ITestOutputHelper output)
    {
        AssertOperatorStructure(cone.ProjectDerivative(v), tolerance, output);
        AssertOperatorStructure(cone.ProjectDualDerivative(v), tolerance, output);
    }

    /// <summary>
    /// Asserts that the dense derivative <paramref name="derivative"/> at v matches central differences of
    /// <paramref name="map"/> along every basis direction: max |D − FD| / max(1, max |D|) ≤ <paramref name="tolerance"/>.
    /// </summary>
    public static double AssertMatchesFiniteDifferences(Func<Tensor, Tensor> map, IConeOperator derivative, Tensor v, double tolerance,
        ITestOutputHelper output, string what)
    {
        var dense = derivative.Dense();
        int n = (int)v.shape[1];
        double step = Step * Math.Max(1, v.abs().max().item<double>());
        double worst = 0;
        for (int j = 0; j < n; j++)
        {
            var e = zeros_like(v);
            e.select(1, j).FillInPlace(step);
            var numeric = (map(v.Plus(e)) - map(v - e)).DividedBy(2 * step);
            var analytic = dense.select(2, j);
            var error = ((analytic - numeric).abs().amax(1) / analytic.abs().amax(1).AtLeast(1L)).max().item<double>();
            worst = Math.Max(worst, error);
        }
        output.WriteLine($"{what}: derivative vs central differences, worst relative error {worst:E2}");
        Assert.True(worst <= tolerance, $"{what}: derivative differs from central differences by {worst:G3} > {tolerance:G3}");
        return worst;
    }

    /// <summary>
    /// Asserts that Dense() equals Apply on the basis vectors and that every item's matrix is symmetric with
    /// eigenvalues in [0, 1] (to <paramref name="tolerance"/>).
    /// </summary>
    public static void AssertOperatorStructure(IConeOperator derivative, double tolerance, ITestOutputHelper output)
    {
        var dense = derivative.Dense();
        long batch = dense.shape[0];
        int n = derivative.Rows;
        Assert.Equal(new[] { batch, n, n }, dense.shape);
        double applyError = 0;
        for (int j = 0; j < n; j++)
        {
            var e = zeros(batch, n, dtype: dense.dtype);
            e.select(1, j).FillInPlace(1.0);
            applyError = Math.Max(applyError, (derivative.Apply(e) - dense.select(2, j)).abs().max().item<double>());
        }
        double asymmetry = (dense - dense.transpose(1, 2)).abs().max().item<double>();
        var eigenvalues = linalg.eigvalsh(dense.Plus(dense.transpose(1, 2)).Times(0.5));
        double low = eigenvalues.min().item<double>(), high = eigenvalues.max().item<double>();
        output.WriteLine($"Dense vs Apply {applyError:E2}, asymmetry {asymmetry:E2}, eigenvalues in [{low:G6}, {high:G6}]");
        Assert.True(applyError <= tolerance, $"Dense() differs from Apply on basis vectors by {applyError:G3}");
        Assert.True(asymmetry <= tolerance, $"derivative not symmetric: {asymmetry:G3}");
        Assert.True(low >= -tolerance && high <= 1 + tolerance, $"eigenvalues [{low:G6}, {high:G6}] outside [0, 1]");
    }

    /// <summary>
    /// Asserts the step α = StepToBoundary(s, ds) per item: finite α has s + 0.999α·ds ∈ K and s + 1.001α·ds ∉ K
    /// (Contains with tolerance 0); α = +∞ exactly for the items in <paramref name="unbounded"/>, and then s + 1e6·ds ∈ K.
    /// </summary>
    public static double[] AssertStep(ICone cone, Tensor s, Tensor ds, ISet<int> unbounded, ITestOutputHelper output)
    {
        var alpha = cone.StepToBoundary(s, ds);
        Assert.Equal(s.dtype, alpha.dtype);
        Assert.Equal(new[] { s.shape[0] }, alpha.shape);
        var values = alpha.to(ScalarType.Float64).cpu().data<double>().ToArray();
        output.WriteLine("steps: " + string.Join(", ", values.Select(a => a.ToString("G6"))));
        var finite = values.Select(a => double.IsFinite(a) ? a : 0).ToArray();
        var scale = tensor(finite, dtype: ScalarType.Float64).to(s.dtype).unsqueeze(1);
        var before = Flags(cone.Contains(s.Plus(scale.Times(0.999) * ds), 0));
        var after = Flags(cone.Contains(s.Plus(scale.Times(1.001) * ds), 0));
        var far = Flags(cone.Contains(s.Plus(ds.Times(1e6)), 0));
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(unbounded.Contains(i) == double.IsPositiveInfinity(values[i]), $"item {i}: step {values[i]}");
            if (unbounded.Contains(i))
                Assert.True(far[i], $"item {i}: s + 1e6·ds left the cone although the step is +∞");
            else
            {
                Assert.True(values[i] > 0, $"item {i}: step {values[i]} from an interior point");
                Assert.True(before[i], $"item {i}: s + 0.999α·ds is not in the cone (α = {values[i]})");
                Assert.False(after[i], $"item {i}: s + 1.001α·ds is still in the cone (α = {values[i]})");
            }
        }
        return values;
    }

    /// <summary>
    /// Asserts that float32 input gives float32 results that match float64 to <paramref name="tolerance"/>
    /// (relative to max(1, |float64|)) for Project, ProjectDual and both derivatives.
    /// </summary>
    public static void AssertFloat32MatchesFloat64(ICone cone, Tensor v, double tolerance, ITestOutputHelper output)
    {
        var single = v.to(ScalarType.Float32);
        var pairs = new (string What, Tensor Double, Tensor Single)[]
        {
            ("Project", cone.Project(v), cone.Project(single)),
            ("ProjectDual", cone.ProjectDual(v), cone.ProjectDual(single)),
            ("ProjectDerivative", cone.ProjectDerivative(v).Dense(), cone.ProjectDerivative(single).Dense()),
            ("ProjectDualDerivative", cone.ProjectDualDerivative(v).Dense(), cone.ProjectDualDerivative(single).Dense()),
        };
        foreach (var (what, exact, rounded) in pairs)
        {
            Assert.Equal(ScalarType.Float32, rounded.dtype);
            Assert.Equal(exact.shape, rounded.shape);
            double error = ((rounded.to(ScalarType.Float64) - exact).abs() / exact.abs().AtLeast(1L)).max().item<double>();
            output.WriteLine($"float32 {what}: relative error {error:E2}");
            Assert.True(error <= tolerance, $"float32 {what} off by {error:G3}");
        }
        Assert.Equal(ScalarType.Bool, cone.Contains(single, 1e-4).dtype);
    }

    /// <summary>The Euclidean norm.</summary>
    public static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(x => x * x));

    private static bool[] Flags(Tensor t) => t.cpu().data<bool>().ToArray();
}
