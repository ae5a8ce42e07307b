using System.Reflection;
using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The gradients of the bound-row QP (<see cref="BoxKktSolver"/>) against central finite differences, with Q and G
/// shared by the batch (their gradients are sums over the items) and p, h per item.
/// </summary>
public class BoxFormFiniteDifferenceTests
{
    private static readonly QpSolverOptions Tight = new() { Tolerance = 1e-12, RelativeTolerance = 0 };

    /// <summary>
    /// n variables with an upper and a lower bound each (m = 2n rows, positive random coefficients), a shared
    /// Q = LLᵀ/n + I, and p large enough that about half of the bounds are active. For L = Σ w∘z* and one random
    /// direction D per input (D symmetric for Q, on G's nonzeros for G, so that G stays bound rows),
    /// ⟨∇L, D⟩ ≈ (L(θ + tD) − L(θ − tD)) / 2t. Within an active set z* is smooth in the data, so the central
    /// difference's truncation error is O(t²) ≈ 1e-10; the solver's 1e-12 accuracy adds about 1e-12 / t = 1e-7.
    /// </summary>
    [Theory]
    [InlineData(32, 1)]
    [InlineData(40, 2)]
    public void SharedQAndG_GradientsMatchCentralDifferences(int n, int seed)
    {
        using var scope = NewDisposeScope();
        const int batch = 3;
        const double step = 1e-5, tolerance = 1e-5;
        var generator = new Generator((ulong)seed);
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator);
        Tensor U(params long[] shape) => rand(shape, dtype: ScalarType.Float64, generator: generator);
        var l = R(n, n);
        var q = l.matmul(l.t()).DividedBy(n).Plus(eye(n, dtype: ScalarType.Float64));
        var p = R(batch, n).Times(3.0);
        var g = cat([diag(U(n).Plus(0.5)), diag(U(n).Plus(0.5)).neg()], 0);
        var h = U(batch, 2 * n).Plus(0.5);
        var w = R(batch, n);
        Tensor[] inputs = [q, p, g, h];

        // The rule of QpSolveDriver: n at least BoxFormMinimumVariables and G accepted by BoxKktSolver.TryCreate.
        var minimum = (int)typeof(QpSolver).Assembly.GetType("DiffOpt.Qp.QpSolveDriver")!
            .GetField("BoxFormMinimumVariables", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;
        Assert.True(n >= minimum, $"n = {n} is below the box form's minimum {minimum}");
        Assert.NotNull(BoxKktSolver.TryCreate(RuizEquilibration.Apply(QpProblem.Create(q, p, g, h, null, null), iterations: 10).Scaled));

        var leaves = inputs.Select(t => t.clone().requires_grad_()).ToArray();
        var report = new QpSolveReport();
        var z = QpFunction.Apply(leaves[0], leaves[1], leaves[2], leaves[3], null, null, Tight, report);
        (w * z).sum().backward();
        Assert.All(report.Solution!.Status, s => Assert.Equal(SolverStatus.Solved, s));
        Assert.All(report.GradientTrusted!, Assert.True);
        // Active and inactive bounds both, or the check says little about the bound rows.
        var active = ScalarSafeOperations.With(1e-8, leaves[3].grad!.abs().gt);
        long activeCount = active.sum().item<long>();
        Assert.InRange(activeCount, batch * n / 4, batch * n * 3 / 4);

        var rawD = R(n, n);
        Tensor[] directions = [rawD.Plus(rawD.t()), R(batch, n), R(2 * n, n) * g.ne(zeros_like(g)).to_type(ScalarType.Float64), R(batch, 2 * n)];
        string[] names = ["Q", "p", "G", "h"];
        for (int i = 0; i < inputs.Length; i++)
        {
            double analytic = (leaves[i].grad! * directions[i]).sum().item<double>();
            double Loss(double t)
            {
                using var noGrad = no_grad();
                var shifted = inputs.Select((v, k) => k == i ? v.PlusScaled(directions[i], t) : v).ToArray();
                var loss = (w * QpFunction.Apply(shifted[0], shifted[1], shifted[2], shifted[3], null, null, Tight)).sum().item<double>();
                return loss;
            }
            double numeric = (Loss(step) - Loss(-step)) / (2 * step);
            double error = Math.Abs(analytic - numeric) / Math.Max(1e-3, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
            Assert.True(error < tolerance, $"{names[i]}: analytic {analytic:G12}, central difference {numeric:G12}, rel. error {error:G3}");
        }
    }
}
