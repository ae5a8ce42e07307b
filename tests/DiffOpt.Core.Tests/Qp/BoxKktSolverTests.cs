using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The KKT solver of bound rows (<see cref="BoxKktSolver"/>): it serves exactly the inequality blocks whose rows have
/// at most one nonzero (and at least n of them), its solves satisfy the KKT system it factorised and equal those of
/// the general primal form, and the QP layer returns the same solution and gradients through it as through the
/// general form.
/// </summary>
public class BoxKktSolverTests
{
    /// <summary>
    /// Bound rows on n variables: each variable gets an upper and a lower row with random positive coefficients, and
    /// one row without a nonzero is appended (m = 2n + 1). Per item, or shared (1,m,n).
    /// </summary>
    private static Tensor BoundRows(int batch, int n, bool shared, Generator generator, ScalarType dtype)
    {
        long matrices = shared ? 1 : batch;
        var upper = diag_embed(rand([matrices, n], dtype: ScalarType.Float64, generator: generator).Plus(0.5));
        var lower = diag_embed(rand([matrices, n], dtype: ScalarType.Float64, generator: generator).Plus(0.5)).neg();
        var rows = cat([upper, lower, zeros(matrices, 1, n, dtype: ScalarType.Float64)], 1);
        // Each item's rows in a different order, so that per-item column maps differ.
        if (!shared)
            rows = stack(Enumerable.Range(0, batch).Select(i => rows[i].index_select(0, randperm(2 * n + 1, generator: generator))).ToArray());
        return rows.to_type(dtype);
    }

    [Theory]
    [InlineData(5, 7, 0, false, ScalarType.Float64)]
    [InlineData(4, 9, 3, false, ScalarType.Float64)]
    [InlineData(6, 8, 2, true, ScalarType.Float64)]
    [InlineData(3, 11, 0, true, ScalarType.Float32)]
    public void Solve_SatisfiesTheKktSystem_AndEqualsThePrimalForm(int batch, int n, int k, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(n + 17 * k + (shared ? 100 : 0)));
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator).to_type(dtype);
        var l = R(shared ? 1 : batch, n, n);
        var q = l.matmul(l.transpose(1, 2));
        var g = BoundRows(batch, n, shared, generator, dtype);
        int m = (int)g.shape[1];
        var problem = QpProblem.Create(shared ? q.squeeze(0) : q, R(batch, n), shared ? g.squeeze(0) : g, R(batch, m).abs().Plus(1L),
            shared ? R(k, n) : R(batch, k, n), R(batch, k));
        var (_, qp) = RuizEquilibration.Apply(problem, iterations: 10);
        var box = BoxKktSolver.TryCreate(qp);
        Assert.NotNull(box);
        AssertSolvesAsThePrimalForm(box, qp, R);
    }

    /// <summary>
    /// Factorises <paramref name="box"/> and the general primal form for one random operator and checks that the
    /// box solver's solve meets the KKT system and equals the primal form's.
    /// </summary>
    private static void AssertSolvesAsThePrimalForm(BoxKktSolver box, ScaledQp qp, Func<long[], Tensor> random)
    {
        long batch = qp.BatchSize, m = qp.InequalityCount;
        var primal = new PrimalKktSolver(qp);
        var op = new KktParameters(random([batch]).abs().Plus(1e-3), random([batch]).abs().Plus(1e-3), random([batch, m]).abs().Plus(0.1));
        var shift = zeros(batch, dtype: qp.P.dtype);
        Assert.False(box.Factor(op, shift).any().item<bool>());
        Assert.False(primal.Factor(op, shift).any().item<bool>());
        var rhs = new KktVector(random([batch, qp.N]), random([batch, qp.EqualityCount]), random([batch, m]));

        double tolerance = qp.P.dtype == ScalarType.Float32 ? 2e-3 : 1e-9;
        var solution = box.Solve(op, rhs, refinementSteps: 0);
        var residual = (rhs - box.Multiply(op, solution)).InfNorm();
        Assert.True((residual <= rhs.InfNorm().Plus(1L).Times(tolerance)).all().item<bool>(), $"KKT residual {residual.max().to_type(ScalarType.Float64).item<double>():E2}");
        var expected = primal.Solve(op, rhs, refinementSteps: 0);
        double difference = (solution - expected).InfNorm().max().to_type(ScalarType.Float64).item<double>();
        double size = expected.InfNorm().max().to_type(ScalarType.Float64).item<double>();
        Assert.True(difference <= tolerance * (1 + size), $"box and primal solutions differ by {difference:E2} (size {size:E2})");
    }

    /// <summary>
    /// A banded P (the Q = DDᵀ of k-band differences) is factorised banded, with the primal form's solutions. The banded
    /// factorisation is a CPU kernel: the tensor path (other devices) factorises dense.
    /// </summary>
    [KernelPathTheory]
    [InlineData(5, 20, 1, false, ScalarType.Float64)]
    [InlineData(4, 24, 2, true, ScalarType.Float64)]
    [InlineData(3, 16, 1, true, ScalarType.Float32)]
    public void Solve_WithABandedP_FactorisesBanded_AndEqualsThePrimalForm(int batch, int n, int bandwidth, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(n + 5 * bandwidth));
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator).to_type(dtype);
        var d = R(shared ? 1 : batch, n, n).triu(0).tril(bandwidth);
        var q = d.matmul(d.transpose(1, 2));
        var g = BoundRows(batch, n, shared, generator, dtype);
        int m = (int)g.shape[1];
        var problem = QpProblem.Create(shared ? q.squeeze(0) : q, R(batch, n), shared ? g.squeeze(0) : g, R(batch, m).abs().Plus(1L), null, null);
        var (_, qp) = RuizEquilibration.Apply(problem, iterations: 10);
        var box = BoxKktSolver.TryCreate(qp);
        Assert.NotNull(box);
        Assert.Equal(bandwidth, box.Bandwidth);
        AssertSolvesAsThePrimalForm(box, qp, R);
    }

    [Fact]
    public void TryCreate_DeclinesDenseRows_AndNoMoreRowsThanVariables()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator);
        var q = eye(4, dtype: ScalarType.Float64);
        var box = BoundRows(1, 4, shared: true, generator, ScalarType.Float64).squeeze(0);

        Assert.NotNull(BoxKktSolver.TryCreate(Scaled(q, box, R)));
        var denseRow = box.clone();
        denseRow[0, 1] = tensor(0.5, dtype: ScalarType.Float64);
        Assert.Null(BoxKktSolver.TryCreate(Scaled(q, denseRow, R)));
        Assert.Null(BoxKktSolver.TryCreate(Scaled(q, box.narrow(0, 0, 3), R)));
        Assert.Null(BoxKktSolver.TryCreate(Scaled(q, box.narrow(0, 0, 4), R)));
        Assert.NotNull(BoxKktSolver.TryCreate(Scaled(q, box.narrow(0, 0, 5), R)));
    }

    private static ScaledQp Scaled(Tensor q, Tensor g, Func<long[], Tensor> random)
    {
        var problem = QpProblem.Create(q, random([2, q.shape[0]]), g, random([2, g.shape[0]]).abs().Plus(1L), null, null);
        return RuizEquilibration.Apply(problem, iterations: 10).Scaled;
    }

    /// <summary>
    /// The dual QP of total-variation denoising (Q = DDᵀ shared, G = [I; −I], h = λ per item) solved and
    /// differentiated once as it is (bound rows: <see cref="BoxKktSolver"/>) and once with an extra dense row that is
    /// never active (h = 10⁶: the general primal form). The extra row changes neither the solution nor the gradients
    /// with respect to Q, p and the bound rows' h.
    /// </summary>
    [Fact]
    public void Apply_GivesTheGeneralFormsSolutionAndGradients_OnTheDenoisingDualQp()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        const int batch = 6, n = 12, rows = n - 1;
        var identity = eye(n, dtype: ScalarType.Float64);
        var d = (identity.narrow(0, 1, rows) - identity.narrow(0, 0, rows))
            .Plus(randn([rows, n], dtype: ScalarType.Float64, generator: generator).Times(0.05));
        var signals = randn([batch, n], dtype: ScalarType.Float64, generator: generator).Times(10L);
        var weights = randn([batch, rows], dtype: ScalarType.Float64, generator: generator).Times(0.3).exp().Times(2L);
        var bounds = eye(rows, dtype: ScalarType.Float64);
        var g = cat([bounds, bounds.neg()], 0);
        var w = randn([batch, rows], dtype: ScalarType.Float64, generator: generator);

        (Tensor U, Tensor GradQ, Tensor GradP, Tensor GradH) Run(bool extraRow)
        {
            var q = d.matmul(d.t()).requires_grad_();
            var p = signals.matmul(d.t()).neg().requires_grad_();
            var h = cat([weights, weights], 1).requires_grad_();
            var gRows = extraRow ? cat([g, ones(1, rows, dtype: ScalarType.Float64)], 0) : g;
            var hRows = extraRow ? cat([h, ScalarSafeOperations.With(1e6, s => full(batch, 1, s, dtype: ScalarType.Float64))], 1) : h;
            var report = new QpSolveReport();
            var u = QpFunction.Apply(q, p, gRows, hRows, null, null, report: report);
            (w * u).sum().backward();
            Assert.All(report.Solution!.Status, s => Assert.Equal(SolverStatus.Solved, s));
            Assert.All(report.GradientTrusted!, Assert.True);
            return (u.detach(), q.grad!, p.grad!, h.grad!);
        }

        var box = Run(extraRow: false);
        var general = Run(extraRow: true);
        Assert.True(ScalarSafeOperations.With(1e-6, (box.U - general.U).abs().le).all().item<bool>(), "solutions differ");
        Assert.True(KernelCases.RelativeError(general.GradQ, box.GradQ) <= 1e-6, "gradients with respect to Q differ");
        Assert.True(KernelCases.RelativeError(general.GradP, box.GradP) <= 1e-6, "gradients with respect to p differ");
        Assert.True(KernelCases.RelativeError(general.GradH, box.GradH) <= 1e-6, "gradients with respect to h differ");
        // Some bounds must be active, or the comparison says nothing about the bound rows.
        Assert.True(ScalarSafeOperations.With(1e-8, box.GradH.abs().gt).any().item<bool>(), "no active bound");
    }

    /// <summary>
    /// A Q shared by the batch gets the sum over the batch of the per-item gradients (computed without per-item
    /// matrices), with the problem normalisation active (rows and cost below 1/16).
    /// </summary>
    [Fact]
    public void Apply_GradientOfASharedMatrixIsTheSumOfThePerItemGradients()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator);
        const int batch = 5, n = 6, m = 4;
        var l = R(n, n);
        var q = l.matmul(l.t()).Plus(eye(n, dtype: ScalarType.Float64)).Times(0.01);
        var p = R(batch, n).Times(0.01);
        var g = R(m, n).Times(0.01);
        var h = R(batch, m).abs().Times(0.01);
        var w = R(batch, n);

        (Tensor GradQ, Tensor GradG) Run(bool shared)
        {
            var qLeaf = (shared ? q : q.expand(batch, n, n)).clone().requires_grad_();
            var gLeaf = (shared ? g : g.expand(batch, m, n)).clone().requires_grad_();
            var z = QpFunction.Apply(qLeaf, p, gLeaf, h, null, null);
            (w * z).sum().backward();
            return (qLeaf.grad!, gLeaf.grad!);
        }

        var sharedGrads = Run(shared: true);
        var perItem = Run(shared: false);
        Assert.True(KernelCases.RelativeError(perItem.GradQ.sum(dim: 0), sharedGrads.GradQ) <= 1e-9, "gradients with respect to Q differ");
        Assert.True(KernelCases.RelativeError(perItem.GradG.sum(dim: 0), sharedGrads.GradG) <= 1e-9, "gradients with respect to G differ");
        Assert.True(sharedGrads.GradQ.abs().max().item<double>() > 0, "zero gradient");
    }
}
