using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Tests.TestSupport;
using DiffOpt.InteriorPoint;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The Schur-complement KKT solver of strongly convex batches: its solves satisfy the regularised KKT system they
/// stand for, on both paths (the per-item CPU kernel and the batched tensor form used on other devices), for
/// per-item and shared matrices, without equality or inequality rows, and in float32; its fused predictor-corrector
/// step equals the interior-point method's batched one, and its item-by-item accurate solves the batched refinement.
/// </summary>
public class SchurKktSolverTests
{
    /// <summary>A random strongly convex batch, scaled, with its Schur solver factorised for random positive weights.</summary>
    private static (InequalitySchurKktSolver Solver, KktParameters Operator, Func<long[], Tensor> Random) Factorised(
        int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        var (problem, random) = KernelCases.Problem(batch, n, m, p, shared, dtype, curvature: n);
        Tensor R(params long[] shape) => random(shape);
        var (_, qp) = RuizEquilibration.Apply(problem, iterations: 10);
        var solver = InequalitySchurKktSolver.TryCreate(qp, NumericLimits.For(dtype));
        Assert.NotNull(solver);

        var (rho, delta) = solver.FixedRegularization!.Value;
        var op = new KktParameters(rho, delta, R(batch, m).abs().Plus(0.1));
        Assert.False(solver.Factor(op, zeros(batch, dtype: dtype)).any().item<bool>());
        return (solver, solver.Factored!, shape => R(shape));
    }

    [KernelPathTheory]
    [MemberData(nameof(KernelCases.Shapes), MemberType = typeof(KernelCases))]
    public void Solve_SatisfiesTheKktSystem_OnTheKernelAndTheBatchedPath(int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (solver, _, random) = Factorised(batch, n, m, p, shared, dtype);
        var rhs = new KktVector(random([batch, n]), random([batch, p]), random([batch, m]));

        double tolerance = dtype == ScalarType.Float32 ? 2e-3 : 1e-9;
        var kernel = solver.SolveWithKernel(rhs);
        var batched = solver.SolveBatched(rhs);
        AssertSolves(solver, rhs, kernel, tolerance, "kernel");
        AssertSolves(solver, rhs, batched, tolerance, "batched");
        AssertClose(batched, kernel, tolerance, "kernel and batched solutions");
    }

    /// <summary>
    /// The fused step and the item-by-item accurate solves, whose solves prefetch the next item's matrices, have the
    /// bits they have without the prefetches: a hint to the cache only.
    /// </summary>
    [KernelPathTheory]
    [InlineData(5, 13, 9, 3)]
    [InlineData(6, 21, 17, 0)]
    public void KernelSolves_WithAndWithoutPrefetching_HaveTheSameBits(int batch, int n, int m, int p)
    {
        using var scope = NewDisposeScope();
        var (solver, op, random) = Factorised(batch, n, m, p, shared: false, ScalarType.Float64);
        var s = random([batch, m]).abs().Plus(0.01);
        var z = random([batch, m]).abs().Plus(0.01);
        var it = new QpIterate(random([batch, n]), random([batch, p]), z, s);
        var residuals = new KktVector(random([batch, n]), random([batch, p]), random([batch, m]));
        var mu = (s * z).mean([-1]);
        // An operator near the factorised one, so that the accurate solves take refinement steps.
        var target = new KktParameters(zeros(batch, dtype: ScalarType.Float64), op.Delta, op.W.Times(0.999));
        double eps = NumericLimits.For(ScalarType.Float64).MachineEpsilon;
        (QpIterate Step, KktVector Accurate) Run() => (solver.MehrotraStep(it, residuals, mu, 0.99),
            solver.SolveAccurately(target, residuals, 20, 10 * eps).Solution);

        var prefetched = Run();
        CachePrefetch.Enabled = false;
        try
        {
            var plain = Run();
            KernelCases.AssertBitwise(plain.Step.X, prefetched.Step.X, "step x");
            KernelCases.AssertBitwise(plain.Step.Y, prefetched.Step.Y, "step y");
            KernelCases.AssertBitwise(plain.Step.Z, prefetched.Step.Z, "step z");
            KernelCases.AssertBitwise(plain.Step.S, prefetched.Step.S, "step s");
            KernelCases.AssertBitwise(plain.Accurate.X, prefetched.Accurate.X, "accurate x");
            KernelCases.AssertBitwise(plain.Accurate.Y, prefetched.Accurate.Y, "accurate y");
            KernelCases.AssertBitwise(plain.Accurate.Z, prefetched.Accurate.Z, "accurate z");
        }
        finally
        {
            CachePrefetch.Enabled = true;
        }
    }

    [KernelPathTheory]
    [InlineData(5, 13, 9, 3, false, ScalarType.Float64)]
    [InlineData(4, 40, 50, 10, false, ScalarType.Float64)]
    [InlineData(6, 8, 7, 2, true, ScalarType.Float64)]
    [InlineData(3, 6, 5, 0, false, ScalarType.Float64)]
    [InlineData(3, 14, 7, 1, false, ScalarType.Float64)]
    [InlineData(4, 21, 17, 4, false, ScalarType.Float32)]
    public void MehrotraStep_EqualsTheBatchedPredictorCorrectorStep(int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (solver, op, random) = Factorised(batch, n, m, p, shared, dtype);
        var s = random([batch, m]).abs().Plus(0.01);
        var z = random([batch, m]).abs().Plus(0.01);
        var it = new QpIterate(random([batch, n]), random([batch, p]), z, s);
        var residuals = new KktVector(random([batch, n]), random([batch, p]), random([batch, m]));
        var mu = (s * z).mean([-1]);
        Assert.True(solver.UsesKernels);

        var kernel = solver.MehrotraStep(it, residuals, mu, 0.99);
        var batched = ProximalInteriorPoint.BatchedCorrectorStep(solver, op, it, residuals, mu, refinementSteps: 0);
        double tolerance = dtype == ScalarType.Float32 ? 1e-3 : 1e-10;
        AssertClose(new KktVector(batched.X, batched.Y, cat(new[] { batched.Z, batched.S }, -1)),
            new KktVector(kernel.X, kernel.Y, cat(new[] { kernel.Z, kernel.S }, -1)), tolerance, "kernel and batched steps");
        Assert.True(kernel.S.gt(ScalarSafeOperations.Zero).all().item<bool>() && kernel.Z.gt(ScalarSafeOperations.Zero).all().item<bool>(), "the step must keep s, z > 0");
    }

    [KernelPathTheory]
    [MemberData(nameof(KernelCases.Shapes), MemberType = typeof(KernelCases))]
    public void SolveAccurately_ItemByItem_EqualsTheBatchedRefinement_AndSolvesTheTarget(int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (solver, op, random) = Factorised(batch, n, m, p, shared, dtype);
        // An operator near the factorised one (no primal regularisation, slightly smaller weights): refinement has to take steps.
        var target = new KktParameters(zeros(batch, dtype: dtype), op.Delta, op.W.Times(0.999));
        var rhs = new KktVector(random([batch, n]), random([batch, p]), random([batch, m]));
        double eps = NumericLimits.For(dtype).MachineEpsilon;

        var (itemByItem, itemNorms) = solver.SolveAccurately(target, rhs, 20, 10 * eps);
        // A right-hand side the host forms cannot read (not contiguous) takes the batched tensor refinement.
        var strided = rhs with { X = rhs.X.t().contiguous().t() };
        Assert.False(strided.X.is_contiguous());
        var (batched, batchedNorms) = solver.SolveAccurately(target, strided, 20, 10 * eps);
        KernelCases.AssertBitwise(batched.X, itemByItem.X, "dx");
        KernelCases.AssertBitwise(batched.Y, itemByItem.Y, "dy");
        KernelCases.AssertBitwise(batched.Z, itemByItem.Z, "dz");
        KernelCases.AssertBitwise(batchedNorms, itemNorms, "residual norms");

        // The reported norms are those of the returned solution's residual, and refinement brought them to the rounding level.
        var residual = (rhs - solver.Multiply(target, itemByItem)).InfNorm();
        KernelCases.AssertBitwise(residual, itemNorms, "reported residual");
        var plain = (rhs - solver.Multiply(target, solver.Solve(op, rhs, 0))).InfNorm();
        Assert.True((itemNorms < plain).all().item<bool>(), "refinement must lower every item's residual below the plain solve's");
        double limit = dtype == ScalarType.Float32 ? 1e-4 : 1e-11;
        Assert.True((itemNorms <= rhs.InfNorm().Times(limit)).all().item<bool>(), $"relative residuals {(itemNorms / rhs.InfNorm()).to_type(ScalarType.Float64).max().item<double>():E2}");
    }

    private static void AssertClose(KktVector expected, KktVector actual, double tolerance, string what)
    {
        double difference = (actual - expected).InfNorm().max().to_type(ScalarType.Float64).item<double>();
        double size = expected.InfNorm().max().to_type(ScalarType.Float64).item<double>();
        Assert.True(difference <= tolerance * (1 + size), $"{what} differ by {difference:E2} (size {size:E2})");
    }

    /// <summary>‖rhs − K·solution‖∞ ≤ tolerance (1 + ‖rhs‖∞) per item, K the factorised operator.</summary>
    private static void AssertSolves(KktSolver solver, KktVector rhs, KktVector solution, double tolerance, string path)
    {
        var residual = (rhs - solver.Multiply(solver.Factored!, solution)).InfNorm();
        var bound = rhs.InfNorm().Plus(1L).Times(tolerance);
        var worst = (residual / bound).max().to_type(ScalarType.Float64).item<double>();
        Assert.True(worst <= 1, $"{path}: KKT residual reaches {worst:F2} times the bound");
        Assert.True(solution.X.isfinite().all().item<bool>() && solution.Y.isfinite().all().item<bool>() && solution.Z.isfinite().all().item<bool>(),
            $"{path}: non-finite solution");
    }
}
