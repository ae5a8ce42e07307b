using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Numerics;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The host forms of the interior-point iteration's bookkeeping (<see cref="ProximalTermsKernel"/>,
/// <see cref="SolutionVerdicts"/>, <see cref="QpResiduals.MayMeet"/>, <see cref="HostMask"/>) give the tensor forms' values bit for bit (or, for
/// the pre-tests, never rule out what the tensor form would find): per-item and shared scalings, an empty equality
/// block, float64 and float32, and non-finite entries.
/// </summary>
public class IterationHostFormsTests
{
    [Theory]
    [InlineData(5, 7, 6, 2, false, ScalarType.Float64)]
    [InlineData(4, 7, 6, 0, false, ScalarType.Float64)]
    [InlineData(3, 9, 4, 3, true, ScalarType.Float64)]
    [InlineData(1, 10, 10, 0, false, ScalarType.Float64)]
    [InlineData(6, 8, 5, 2, false, ScalarType.Float32)]
    public void ProximalTerms_EqualTheTensorForms(int batch, int n, int m, int k, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, k, shared, dtype);
        var (scaling, _) = RuizEquilibration.Apply(problem, 10);
        Tensor R(params long[] shape) => random(shape);
        Tensor Positive(long items) => R(items).abs().Times(1e-3).Plus(1e-9);
        var it = new QpIterate(R(batch, n), R(batch, k), R(batch, m).abs(), R(batch, m).abs());
        var (xi, lambda, nu) = (R(batch, n), R(batch, k), R(batch, m).abs());
        var (rho, delta, deltaIneq) = (Positive(batch), Positive(batch), Positive(batch));

        var (primal, dual) = ProximalTermsKernel.InfeasibilityMeasures(it, xi, lambda, nu, scaling, rho, delta, deltaIneq, withDual: true);
        var expectedPrimal = maximum(delta * InfNorm(scaling.EA * (lambda - it.Y)), deltaIneq * InfNorm(scaling.EG * (nu - it.Z)));
        KernelCases.AssertBitwise(expectedPrimal, primal, "primal proximal infeasibility");
        KernelCases.AssertBitwise(rho * InfNorm(scaling.D * (it.X - xi)), dual!, "dual proximal infeasibility");
        Assert.Null(ProximalTermsKernel.InfeasibilityMeasures(it, xi, lambda, nu, scaling, rho, delta, deltaIneq, withDual: false).Dual);

        var res = new QpResiduals(R(batch, n), R(batch, k), R(batch, m), null!);
        var (rx, ry, rz) = ProximalTermsKernel.RegularizedResiduals(res, it, xi, lambda, nu, rho, delta, deltaIneq);
        KernelCases.AssertBitwise(res.Rx - rho.unsqueeze(-1) * (it.X - xi), rx, "rx");
        KernelCases.AssertBitwise(res.Ry - delta.unsqueeze(-1) * (lambda - it.Y), ry, "ry");
        KernelCases.AssertBitwise(res.Rz - deltaIneq.unsqueeze(-1) * (nu - it.Z), rz, "rz");
        KernelCases.AssertBitwise((it.S / it.Z).Plus(deltaIneq.unsqueeze(-1)), ProximalTermsKernel.InequalityWeights(it.S, it.Z, deltaIneq), "w");
    }

    [Fact]
    public void FloorAndFinitenessTests_FindWhatTheTensorFormFinds()
    {
        using var scope = NewDisposeScope();
        const double eps = 2.2e-16;
        var s = tensor(new[,] { { 1e3, 0.5, 2.0 }, { 1.0, 1.0, 1.0 } });
        var z = tensor(new[,] { { 1.0, 1.0, 1.0 }, { 1.0, 1.0, 1.0 } });
        var both = tensor(new[] { true, true });
        Assert.False(ProximalTermsKernel.AnyBelowFloor(z, s, both, eps));
        z[0, 0] = tensor(0.5 * eps / 1e3);   // below its floor ε/s
        Assert.True(ProximalTermsKernel.AnyBelowFloor(z, s, both, eps));
        Assert.False(ProximalTermsKernel.AnyBelowFloor(z, s, tensor(new[] { false, true }), eps), "an item that is not running does not count");
        Assert.True(ProximalTermsKernel.AnyBelowFloor(z, s, tensor(new[] { true, false }), eps));

        var it = new QpIterate(ones(2, 3, dtype: ScalarType.Float64), zeros(2, 0, dtype: ScalarType.Float64), z, s);
        Assert.True(ProximalTermsKernel.AllFinite(it));
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity })
        {
            var poisoned = it with { S = s.clone() };
            poisoned.S[1, 2] = tensor(bad);
            Assert.False(ProximalTermsKernel.AllFinite(poisoned));
            Assert.False(poisoned.IsFinite()[1].item<bool>());
        }
        Assert.False(HostMask.Any(tensor(new[] { false, false })));
        Assert.True(HostMask.Any(tensor(new[] { false, true })));
        Assert.False(HostMask.All(tensor(new[] { false, true })));
        Assert.True(HostMask.All(tensor(new[] { true, true })));
        Assert.Equal(2, HostMask.Count(tensor(new[,] { { true, false }, { false, true } }).t()));   // a non-contiguous view
    }

    [KernelPathTheory]
    [InlineData(6, 8, 7, 2)]
    [InlineData(3, 6, 5, 0)]
    public void SolutionVerdicts_EqualTheTensorForms(int batch, int n, int m, int k)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, k, false, ScalarType.Float64);
        Tensor R(params long[] shape) => random(shape);
        var rows = Ranges.Arange(batch, ScalarType.Int64);
        var (z, lambda, nu) = (R(batch, n), R(batch, m).abs(), R(batch, k));
        var check = SolutionResiduals.Evaluate(problem, z, lambda, nu, rows);
        Assert.NotNull(check.Table);
        var tensorForm = check with { Table = null };
        // Tolerances around the items' measures, so that some items meet them and some do not.
        double median = check.Norms.Dual.median().item<double>();
        foreach (var tol in new[] { new SolverTolerances(median, 0, 1e-9), new SolverTolerances(1e-9, median / 10, 1e-9), new SolverTolerances(1e-12, 1e-12, 1e-9) })
        {
            KernelCases.AssertBitwise(tensorForm.WorstRatio(tol), check.WorstRatio(tol), "worst ratio");
            foreach (var factor in new[] { 1.0, 10.0 })
                Assert.Equal(tensorForm.Meets(tol, factor).data<bool>().ToArray(), check.Meets(tol, factor).data<bool>().ToArray());
            Assert.Equal(tensorForm.NoiseLimited(tol).data<bool>().ToArray(), check.NoiseLimited(tol).data<bool>().ToArray());
        }
    }

    [Fact]
    public void MayMeet_IsFalseOnlyWhenNoItemMeetsTheTolerance()
    {
        using var scope = NewDisposeScope();
        var table = tensor(new double[,] { { 1e-3, 1e-3, 1e-3, 1, 1, 1 }, { 1e-3, 1e-10, 1e-10, 1, 1, 1 } });
        ResidualMeasures Columns(Tensor t) => new(t.select(1, 0), t.select(1, 1), t.select(1, 2), t.select(1, 3), t.select(1, 4), t.select(1, 5));
        var residuals = new QpResiduals(empty(2, 0), empty(2, 0), empty(2, 0), Columns(table)) { MeasureTable = table };
        var loose = new SolverTolerances(1e-3, 0, 1e-9);
        var tight = new SolverTolerances(1e-6, 0, 1e-9);
        Assert.True(residuals.Norms.Meets(loose).any().item<bool>());
        Assert.True(residuals.MayMeet(loose));
        Assert.False(residuals.Norms.Meets(tight).any().item<bool>());
        Assert.False(residuals.MayMeet(tight));
        Assert.True((residuals with { MeasureTable = null }).MayMeet(tight), "without a table nothing is ruled out");
    }

    private static Tensor InfNorm(Tensor rows) => rows.size(-1) == 0 ? zeros(rows.size(0), dtype: rows.dtype) : rows.abs().amax(-1);
}
