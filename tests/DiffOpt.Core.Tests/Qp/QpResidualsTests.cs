using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The scaled residuals that drive the interior-point iteration: the CPU kernel equals the batched tensor form,
/// vector for vector and measure for measure (per-item and shared data, empty blocks, float32, a NaN iterate).
/// </summary>
public class QpResidualsTests
{
    [Theory]
    [MemberData(nameof(KernelCases.Shapes), MemberType = typeof(KernelCases))]
    public void Kernel_EqualsTheBatchedForm(int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, p, shared, dtype);
        Tensor R(params long[] shape) => random(shape);
        var (scaling, qp) = RuizEquilibration.Apply(problem, iterations: 10);
        var norm = ResidualNormalizer.Create(qp, scaling);
        var it = new QpIterate(R(batch, n), R(batch, p), R(batch, m).abs(), R(batch, m).abs());

        var kernel = QpResiduals.Evaluate(qp, norm, it);
        var batched = QpResiduals.Evaluate(qp, norm, it, useKernel: false);
        double tolerance = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
        foreach (var (name, expected, actual) in Parts(batched).Zip(Parts(kernel), (e, a) => (e.Name, e.Value, a.Value)))
        {
            double error = KernelCases.RelativeError(expected, actual);
            Assert.True(error <= tolerance * n, $"{name}: kernel and batched differ by {error:E2} (relative)");
        }

        it.X[0, 0] = tensor(double.NaN).to_type(dtype);
        var poisoned = QpResiduals.Evaluate(qp, norm, it);
        Assert.True(poisoned.Norms.Dual[0].isnan().item<bool>(), "a NaN in x must make the dual residual NaN");
        Assert.False(poisoned.Norms.Meets(new QpSolverOptions().TolerancesFor(dtype))[0].item<bool>(), "a NaN iterate meets no tolerance");
    }

    /// <summary>
    /// The kernel takes the residual entries and their maxima in vector lanes: its primal and dual measures are exactly
    /// the largest unscaled entries of the residual vectors it returns, max |E⁻¹(ry, rz)| and max |D⁻¹rx|.
    /// </summary>
    [KernelPathTheory]
    [MemberData(nameof(KernelCases.Shapes), MemberType = typeof(KernelCases))]
    public void KernelMeasures_AreTheLargestUnscaledEntriesOfItsResiduals(int batch, int n, int m, int p, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, p, shared, dtype);
        var (scaling, qp) = RuizEquilibration.Apply(problem, iterations: 10);
        var norm = ResidualNormalizer.Create(qp, scaling);
        var it = new QpIterate(random([batch, n]), random([batch, p]), random([batch, m]).abs(), random([batch, m]).abs());
        var r = QpResiduals.Evaluate(qp, norm, it);

        var dual = (r.Rx * norm.InverseD).abs().amax(-1);
        var primal = (cat(new[] { r.Ry, r.Rz }, -1) * norm.InverseE).abs();
        KernelCases.AssertBitwise(dual, r.Norms.Dual, "dual measure");
        KernelCases.AssertBitwise(m + p == 0 ? zeros_like(dual) : primal.amax(-1), r.Norms.Primal, "primal measure");
    }

    private static IEnumerable<(string Name, Tensor Value)> Parts(QpResiduals r) => new[]
    {
        ("rx", r.Rx), ("ry", r.Ry), ("rz", r.Rz), ("primal", r.Norms.Primal), ("dual", r.Norms.Dual), ("gap", r.Norms.Gap),
        ("primal scale", r.Norms.PrimalScale), ("dual scale", r.Norms.DualScale), ("gap scale", r.Norms.GapScale),
    };
}
