using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Numerics;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The residuals the CPU kernels compute, against exact arithmetic (<see cref="ExactSum"/>), at a point built to be
/// nearly optimal with terms of 1e6: stationarity and the gap cancel to the rounding level of their terms, as they do
/// near every solution. The compensated kernels (iteration residuals and the returned-point check) meet the Dot2
/// bound; the plain batched iteration residuals (the tensor path's) miss it by orders of magnitude on the same data,
/// while the tensor form of the check is compensated as well.
/// </summary>
public class CompensatedResidualsTests
{
    private const int Batch = 2, N = 13, M = 9, K = 3;
    private const double Eps = 2.220446049250313e-16;

    [KernelPathFact]
    public void IterationResiduals_OfANearlyOptimalPoint_MatchExactArithmetic()
    {
        using var scope = NewDisposeScope();
        var (problem, x, y, z) = NearlyOptimal();
        var (scaling, qp) = RuizEquilibration.Apply(problem, iterations: 0);
        var norm = ResidualNormalizer.Create(qp, scaling);
        var it = new QpIterate(x, y, z, problem.H - Batched.RowTimes(x, problem.G.transpose(-1, -2)));

        var kernel = QpResiduals.Evaluate(qp, norm, it);
        var plain = QpResiduals.Evaluate(qp, norm, it, useKernel: false);
        var exact = Exact(problem, x, y, z);
        double plainWorst = 0;
        for (int item = 0; item < Batch; item++)
        {
            for (int j = 0; j < N; j++)
            {
                // rx = −(Px + c + Aᵀy + Gᵀz)
                var (value, magnitude) = exact.Stationarity[item][j];
                double bound = CompensatedKernelsTests.Dot2Bound(value, magnitude, N + M + K + 1);
                double error = Math.Abs(kernel.Rx[item, j].item<double>() + value);
                Assert.True(error <= bound, $"item {item}, rx[{j}]: error {error:E2} above {bound:E2}");
                plainWorst = Math.Max(plainWorst, Math.Abs(plain.Rx[item, j].item<double>() + value) / bound);
            }
            var (gap, gapMagnitude) = exact.Gap[item];
            double gapBound = CompensatedKernelsTests.Dot2Bound(gap, gapMagnitude, N * N + N + M + K);
            Assert.True(Math.Abs(kernel.Norms.Gap[item].item<double>() - Math.Abs(gap)) <= gapBound, $"item {item}: gap {kernel.Norms.Gap[item].item<double>():E3} vs exact {gap:E3}");
            plainWorst = Math.Max(plainWorst, Math.Abs(plain.Norms.Gap[item].item<double>() - Math.Abs(gap)) / gapBound);
        }
        Assert.True(plainWorst > 100, $"the point must defeat plain sums (worst plain error {plainWorst:F1} bounds)");
    }

    [Fact]
    public void ReturnedPointCheck_OfANearlyOptimalPoint_MatchesExactArithmetic_AndClaimsOnlyItsNoise()
    {
        using var scope = NewDisposeScope();
        var (problem, x, y, z) = NearlyOptimal();
        var exact = Exact(problem, x, y, z);
        foreach (bool useKernel in new[] { true, false })
        {
            // The CPU kernel and the tensor form other devices run sum with the same compensation.
            var check = SolutionResiduals.Evaluate(problem, x, z, y, useKernel: useKernel);
            string form = useKernel ? "kernel" : "tensor form";
            for (int item = 0; item < Batch; item++)
            {
                double dual = exact.Stationarity[item].Max(s => Math.Abs(s.Value));
                double dualError = Math.Abs(check.Norms.Dual[item].item<double>() - dual);
                Assert.True(dualError <= check.DualNoise[item].item<double>(), $"{form}, item {item}: dual {dualError:E2} off exact, noise {check.DualNoise[item].item<double>():E2}");
                double gap = Math.Abs(exact.Gap[item].Value);
                double gapError = Math.Abs(check.Norms.Gap[item].item<double>() - gap);
                Assert.True(gapError <= check.GapNoise[item].item<double>(), $"{form}, item {item}: gap {gapError:E2} off exact, noise {check.GapNoise[item].item<double>():E2}");
                // The exact gap is far below what plain sums can resolve (ε times the magnitude of its terms); the
                // compensated noise certifies it.
                double plainNoise = Eps * exact.Gap[item].Magnitude;
                Assert.True(check.GapNoise[item].item<double>() < 1e-3 * plainNoise, $"{form}: compensated noise must be far below the plain one here");
                Assert.True(gap < plainNoise, "the test point's gap must sit below the plain noise");
            }
        }
    }

    /// <summary>
    /// A random problem whose c and b are set so that (x, y, z), with entries up to ~1e3, is nearly stationary and
    /// has a nearly zero gap: c = −(Px + Aᵀy + Gᵀz) and b₀ = −(xᵀPx + cᵀx + hᵀz + Σᵢ₌₁ bᵢyᵢ)/y₀, both rounded.
    /// </summary>
    private static (QpProblem Problem, Tensor X, Tensor Y, Tensor Z) NearlyOptimal()
    {
        var (random, draw) = KernelCases.Problem(Batch, N, M, K, shared: false, ScalarType.Float64);
        Tensor R(params long[] shape) => draw(shape);
        var (x, y, z) = (R(Batch, N).Times(1e3), R(Batch, K).Times(1e3), R(Batch, M).abs().Times(1e3));
        var c = -Batched.RowTimes(x, random.Q).Plus(Batched.RowTimes(y, random.A)).Plus(Batched.RowTimes(z, random.G));
        var b = random.Bvec.clone();
        var rest = Batched.Dot(x, Batched.RowTimes(x, random.Q)).Plus(Batched.Dot(c, x)).Plus(Batched.Dot(random.H, z))
                   .Plus(Batched.Dot(b[.., 1..], y[.., 1..]));
        b[.., 0] = -rest / y[.., 0];
        return (QpProblem.Create(random.Q, c, random.G, random.H, random.A, b), x, y, z);
    }

    private sealed record ExactResiduals(List<(double Value, double Magnitude)[]> Stationarity, List<(double Value, double Magnitude)> Gap);

    /// <summary>Px + c + Aᵀy + Gᵀz per entry and xᵀPx + cᵀx + bᵀy + hᵀz, exactly, with the magnitudes of their terms.</summary>
    private static ExactResiduals Exact(QpProblem problem, Tensor x, Tensor y, Tensor z)
    {
        double[] Row(Tensor t, int item) => t[item].contiguous().data<double>().ToArray();
        var stationarity = new List<(double, double)[]>();
        var gaps = new List<(double, double)>();
        for (int item = 0; item < Batch; item++)
        {
            double[] q = Row(problem.Q, item), g = Row(problem.G, item), a = Row(problem.A, item), c = Row(problem.P, item);
            double[] h = Row(problem.H, item), b = Row(problem.Bvec, item), xi = Row(x, item), yi = Row(y, item), zi = Row(z, item);
            var entries = new (double, double)[N];
            var gap = new ExactSum();
            double gapMagnitude = 0;
            for (int j = 0; j < N; j++)
            {
                var sum = new ExactSum().Add(c[j]);
                double magnitude = Math.Abs(c[j]);
                for (int k = 0; k < N; k++)
                {
                    sum.Add(q[j * N + k], xi[k]); magnitude += Math.Abs(q[j * N + k] * xi[k]);
                    gap.Add(xi[j], q[j * N + k], xi[k]); gapMagnitude += Math.Abs(xi[j] * q[j * N + k] * xi[k]);
                }
                for (int i = 0; i < K; i++) { sum.Add(a[i * N + j], yi[i]); magnitude += Math.Abs(a[i * N + j] * yi[i]); }
                for (int i = 0; i < M; i++) { sum.Add(g[i * N + j], zi[i]); magnitude += Math.Abs(g[i * N + j] * zi[i]); }
                entries[j] = (sum.Value, magnitude);
                gap.Add(c[j], xi[j]); gapMagnitude += Math.Abs(c[j] * xi[j]);
            }
            for (int i = 0; i < K; i++) { gap.Add(b[i], yi[i]); gapMagnitude += Math.Abs(b[i] * yi[i]); }
            for (int i = 0; i < M; i++) { gap.Add(h[i], zi[i]); gapMagnitude += Math.Abs(h[i] * zi[i]); }
            stationarity.Add(entries);
            gaps.Add((gap.Value, gapMagnitude));
        }
        return new ExactResiduals(stationarity, gaps);
    }
}
