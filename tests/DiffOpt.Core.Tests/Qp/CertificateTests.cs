using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>The duals (resp. X) of an infeasible (resp. unbounded) item are the certificate behind its status.</summary>
public class CertificateTests
{
    private static readonly ScalarType F64 = ScalarType.Float64;

    [Fact]
    public void Solve_ReturnsFarkasCertificateInDuals_WhenPrimalInfeasible()
    {
        // Item 0: g·z ≤ −1 and −g·z ≤ −1 contradict; item 1: z₀ + z₁ = 1 and z₀ + z₁ = 3 contradict.
        manual_seed(3);
        int n = 4;
        var q = eye(n, dtype: F64).expand(2, n, n);
        var p = randn(2, n, dtype: F64);
        var g = randn(2, 3, n, dtype: F64);
        g[0, 1] = -g[0, 0];
        var h = ones(2, 3, dtype: F64);
        h[0, 0] = tensor(-1.0, dtype: F64);
        h[0, 1] = tensor(-1.0, dtype: F64);
        h[1] = ScalarSafeOperations.With(100.0, value => full(3, value, dtype: F64));
        var a = zeros(2, 2, n, dtype: F64);
        a[.., .., 0] = ones(2, 2, dtype: F64);
        a[.., .., 1] = ones(2, 2, dtype: F64);
        var b = tensor(new[,] { { 0.0, 0.0 }, { 1.0, 3.0 } });

        var options = new QpSolverOptions();
        var solution = new QpSolver(options).Solve(q, p, g, h, a, b);

        Assert.Equal(new[] { SolverStatus.PrimalInfeasible, SolverStatus.PrimalInfeasible }, solution.Status);
        for (int i = 0; i < 2; i++)
        {
            var lambda = solution.InequalityDuals[i];
            var nu = solution.EqualityDuals[i];
            double norm = Math.Max(lambda.abs().max().item<double>(), nu.abs().max().item<double>());
            Assert.Equal(1.0, norm, 12);
            Assert.True(lambda.min().item<double>() >= 0, "λ must be nonnegative");
            double separation = -b[i].dot(nu).Plus(h[i].dot(lambda)).item<double>();
            double violation = a[i].T.matmul(nu).Plus(g[i].T.matmul(lambda)).abs().max().item<double>();
            Assert.True(separation > 0, $"item {i}: bᵀν + hᵀλ = {-separation} must be negative");
            Assert.True(violation <= options.InfeasibilityTolerance * separation, $"item {i}: ‖Aᵀν + Gᵀλ‖ = {violation:E2}, separation {separation:E2}");
        }
    }

    [Fact]
    public void Solve_ReturnsDescentRayInX_WhenDualInfeasible()
    {
        // minimize z₀² − z₁ subject to z₀ − z₁ ≤ 0: unbounded along the ray (0, 1).
        var q = tensor(new[,] { { 2.0, 0.0 }, { 0.0, 0.0 } });
        var p = tensor(new[] { 0.0, -1.0 });
        var g = tensor(new[,] { { 1.0, -1.0 } });
        var h = tensor(new[] { 0.0 });
        var options = new QpSolverOptions();

        var solution = new QpSolver(options).Solve(q, p, g, h, null, null);

        Assert.Equal(SolverStatus.DualInfeasible, solution.Status[0]);
        var x = solution.X[0];
        Assert.Equal(1.0, x.abs().max().item<double>(), 12);
        double separation = -p.dot(x).item<double>();
        double violation = Math.Max(q.matmul(x).abs().max().item<double>(), g.matmul(x).AtLeast(0L).max().item<double>());
        Assert.True(separation > 0);
        Assert.True(violation <= options.InfeasibilityTolerance * separation, $"violation {violation:E2}, separation {separation:E2}");
    }
}
