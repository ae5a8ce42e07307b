using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The residuals of a returned point on the original data (which decide "solved"): the CPU kernel (compensated
/// sums) and the batched tensor form (plain sums) agree within their noise, the kernel's noise is never above the
/// plain form's, and the scales agree; for a subset of the batch's items, shared matrices, empty blocks, float32,
/// and a non-finite point.
/// </summary>
public class SolutionResidualsTests
{
    [Theory]
    [MemberData(nameof(KernelCases.Shapes), MemberType = typeof(KernelCases))]
    public void Kernel_AgreesWithTheBatchedForm_WithinTheirNoise(int batch, int n, int m, int k, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (problem, random) = KernelCases.Problem(batch, n, m, k, shared, dtype);
        Tensor R(params long[] shape) => random(shape);
        var rows = tensor(new long[] { batch - 1, 0, batch / 2 });
        var (z, lambda, nu) = (R(3, n), R(3, m).abs(), R(3, k));

        var kernel = SolutionResiduals.Evaluate(problem, z, lambda, nu, rows);
        var batched = SolutionResiduals.Evaluate(problem, z, lambda, nu, rows, useKernel: false);
        foreach (var (name, measure, noise) in new[] { ("primal", (Func<SolutionResiduals, Tensor>)(r => r.Norms.Primal), (Func<SolutionResiduals, Tensor>)(r => r.PrimalNoise)),
                     ("dual", r => r.Norms.Dual, r => r.DualNoise), ("gap", r => r.Norms.Gap, r => r.GapNoise) })
        {
            var difference = (measure(kernel) - measure(batched)).abs();
            Assert.True((difference <= noise(kernel).Plus(noise(batched))).all().item<bool>(), $"{name}: kernel and batched differ by more than their noise");
            Assert.True((noise(kernel) <= noise(batched)).all().item<bool>(), $"{name}: the compensated noise must not exceed the plain one");
            Assert.True(noise(batched).gt(ScalarSafeOperations.Zero).all().item<bool>(), $"{name}: the plain form must report a noise");
        }
        double tolerance = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
        foreach (var (name, expected, actual) in new[] { ("primal scale", batched.Norms.PrimalScale, kernel.Norms.PrimalScale),
                     ("dual scale", batched.Norms.DualScale, kernel.Norms.DualScale), ("gap scale", batched.Norms.GapScale, kernel.Norms.GapScale) })
        {
            double error = ((actual - expected).abs() / expected.abs().Plus(1L)).max().to_type(ScalarType.Float64).item<double>();
            Assert.True(error <= tolerance * n, $"{name}: kernel and batched differ by {error:E2} (relative)");
        }

        z[1, 0] = tensor(double.NaN).to_type(dtype);
        var poisoned = SolutionResiduals.Evaluate(problem, z, lambda, nu, rows);
        Assert.True(poisoned.Norms.Dual[1].isnan().item<bool>(), "a NaN in z must make the dual residual NaN");
        Assert.False(poisoned.Meets(new QpSolverOptions().TolerancesFor(dtype))[1].item<bool>(), "a NaN point must not meet any tolerance");
        Assert.True(poisoned.Norms.Dual[0].isfinite().item<bool>(), "other items stay finite");
    }
}
