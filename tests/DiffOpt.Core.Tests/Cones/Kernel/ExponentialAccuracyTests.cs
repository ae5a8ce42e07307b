using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The accuracy in x of the cone solver's CPU kernel on exponential cones at the default options: entropy programs
/// against their closed form, softmax (issues #12, #13), and the third-order term of the exponential cones'
/// combined step against differences of the conjugate barrier's gradient.
/// </summary>
public class ExponentialAccuracyTests(ITestOutputHelper output)
{
    private const int Batch = 64, Size = 20;

    /// <summary>
    /// maximize wᵀx + Σ −xᵢ log xᵢ s.t. Σx = 1 as a cone program over (x, t): (tᵢ, xᵢ, 1) ∈ K_exp, minimize −wᵀx − Σt;
    /// its maximiser is softmax(w). Batch × Size weights w ~ N(0, 1).
    /// </summary>
    private static (ConeProgramData Data, Tensor Softmax) EntropyPrograms(int seed)
    {
        var random = new ProblemGenerator(seed);
        var w = tensor(Enumerable.Range(0, Batch * Size).Select(_ => random.Normal()).ToArray(), dtype: ScalarType.Float64).view(Batch, Size);
        var (a, b, _) = ConeProgramSolverTests.EntropyData(zeros(Size, dtype: ScalarType.Float64));
        var c = cat([-w, -ones(Batch, Size, dtype: ScalarType.Float64)], 1);
        Cone[] cones = [new ZeroCone(1), new ExponentialCone(Size)];
        var data = ConeProgramData.Create(a.expand(Batch, -1, -1), b.expand(Batch, -1), c, cones, null).Wide();
        return (data, nn.functional.softmax(w, 1));
    }

    [Fact]
    public void EntropyPrograms_AtTheDefaultOptions_AreWithinTheirClosedForm()
    {
        // Stopped by the residual tests alone, x sat up to √(μ·x) off along the curved boundary (measured before the
        // third-order corrector and the centring polish: median 4.4e-6, max 1.5e-5 over these items, 18.1 iterations on
        // average; after: median 6e-10, max 3.8e-7, 17.1 iterations).
        var (data, softmax) = EntropyPrograms(seed: 3);
        var result = HomogeneousKernel.Solve(data, ConeProgramSolverOptions.Default, ScalarType.Float64);
        var errors = (result.X.narrow(1, 0, Size) - softmax).abs().max(1).values.data<double>().ToArray();
        Array.Sort(errors);
        output.WriteLine($"x vs softmax: median {errors[Batch / 2]:E2}, max {errors[^1]:E2}; iterations mean {result.Iterations.Average():F2}");
        Assert.All(result.Status, s => Assert.Equal(SolverStatus.Solved, s));
        Assert.True(errors[Batch / 2] <= 1e-7, $"median x error {errors[Batch / 2]:E2}");
        Assert.True(errors[^1] <= 1e-6, $"largest x error {errors[^1]:E2}");
    }

    [Fact]
    public void EntropyPrograms_AtATightTolerance_AreSolved()
    {
        // The third-order corrector alone let the combined step collapse near μ ≈ 1e-10 (measured: a third of these
        // items ended Inaccurate at 1e-9, after 36 iterations on average); the uncorrected direction is the fallback.
        var (data, softmax) = EntropyPrograms(seed: 3);
        var options = ConeProgramSolverOptions.Default with { Tolerance = 1e-9, RelativeTolerance = 1e-9 };
        var result = HomogeneousKernel.Solve(data, options, ScalarType.Float64);
        double error = (result.X.narrow(1, 0, Size) - softmax).abs().max().item<double>();
        output.WriteLine($"at 1e-9: {string.Join(",", result.Status.Distinct())}, iterations mean {result.Iterations.Average():F2}, max x error {error:E2}");
        Assert.All(result.Status, s => Assert.Equal(SolverStatus.Solved, s));
        Assert.True(error <= 1e-5, $"largest x error {error:E2}");
    }

    [Fact]
    public void ThirdOrderTerm_MatchesSecondDifferencesOfTheDualGradient()
    {
        // η = ½∇³f*(d)[Δz, (∇²f*(d))⁻¹Δs], with ∇²f* from central differences of ∇f* and ∇³f*[a, b] from second
        // differences of ∇f* along a and b.
        var random = new ProblemGenerator(41);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            double u = -Math.Exp(random.Uniform(-1, 1)), w = Math.Exp(random.Uniform(-1, 1));
            double[] d = [u, u * (1 + Math.Log(w / -u)) - u * Math.Exp(random.Uniform(-2, 1)), w];
            double[] dz = [random.Normal(), random.Normal(), random.Normal()], ds = [random.Normal(), random.Normal(), random.Normal()];
            var eta = new double[3];
            ExponentialTriple.ThirdOrderTerm(d, dz, ds, eta);

            var hessian = new double[9];
            const double h = 1e-6;
            for (int j = 0; j < 3; j++)
            {
                var (plus, minus) = (Gradient(Along(d, Unit(j), h)), Gradient(Along(d, Unit(j), -h)));
                for (int i = 0; i < 3; i++) hessian[3 * i + j] = (plus[i] - minus[i]) / (2 * h);
            }
            var b = Solve3(hessian, ds);
            double scale = Math.Sqrt(Dot(dz, dz) * Dot(b, b));
            var (ua, ub) = (Scaled(dz, 1 / Math.Sqrt(Dot(dz, dz))), Scaled(b, 1 / Math.Sqrt(Dot(b, b))));
            const double k = 1e-4;
            var g1 = Gradient(Along(Along(d, ua, k), ub, k));
            var g2 = Gradient(Along(Along(d, ua, k), ub, -k));
            var g3 = Gradient(Along(Along(d, ua, -k), ub, k));
            var g4 = Gradient(Along(Along(d, ua, -k), ub, -k));
            var expected = Enumerable.Range(0, 3).Select(i => 0.5 * scale * (g1[i] - g2[i] - g3[i] + g4[i]) / (4 * k * k)).ToArray();
            double size = Math.Max(1, expected.Max(Math.Abs));
            worst = Math.Max(worst, Enumerable.Range(0, 3).Max(i => Math.Abs(eta[i] - expected[i])) / size);
        }
        output.WriteLine($"η vs second differences of ∇f*: worst relative error {worst:E2}");
        Assert.True(worst <= 1e-5, $"η differs from second differences by {worst:E2}");
    }

    private static double[] Gradient(double[] d)
    {
        var g = new double[3];
        ExponentialTriple.DualGradient(d, g);
        return g;
    }

    private static double[] Unit(int j) => Enumerable.Range(0, 3).Select(i => i == j ? 1.0 : 0.0).ToArray();

    private static double[] Along(double[] v, double[] direction, double step) => v.Select((x, i) => x + step * direction[i]).ToArray();

    private static double[] Scaled(double[] v, double factor) => v.Select(x => factor * x).ToArray();

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    /// <summary>m⁻¹r for a 3 × 3 row-major m, by Cramer's rule.</summary>
    private static double[] Solve3(double[] m, double[] r)
    {
        static double Det(double[] a) => a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
        double det = Det(m);
        return Enumerable.Range(0, 3).Select(k =>
        {
            var a = (double[])m.Clone();
            for (int i = 0; i < 3; i++) a[3 * i + k] = r[i];
            return Det(a) / det;
        }).ToArray();
    }
}
