using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// The cone route's gradient of A at its sparse support (<see cref="ConeProgramDerivativeHandle"/>'s adjoint at
/// <see cref="MatrixEntries"/>, which <see cref="ConeSolveFunction"/> always uses) against central finite differences,
/// for a layer whose A depends on parameters at a few entries only.
/// </summary>
public class ConeEntriesAdjointTests
{
    /// <summary>
    /// min ‖x − y‖² + ‖x‖₂ s.t. a∘x ≤ b: the Norm2 makes it a second-order cone program (no QP), and a enters A only
    /// on the diagonal of the a∘x rows (6 of A's entries depend on θ). a ∈ [0.5, 1.5] and y large enough that some rows
    /// are active, some not; a batch of 3 with every parameter per item, and once with a shared a. The second-order cone
    /// solve's x is accurate to about 1e-8 only (measured: the central difference of an entry whose gradient is 0 reads
    /// up to 4e-4 at step 1e-4), and to about 1e-7 on the tensor path, which the plain central difference cannot beat
    /// (relative errors up to 8e-5 at step 1e-3, 1.3e-4 at 4e-3, where the O(t²) truncation takes over). The
    /// fourth-order difference (O(t⁴) truncation) at step 1e-2 measured relative errors up to 2.1e-6 on the CPU kernels
    /// and 5.0e-5 on the tensor path (DIFFOPT_TEST_TENSOR_PATH=1): the tolerance 2e-4 leaves a margin of 4 there.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParametricEntriesOfA_GradientsMatchCentralDifferences(bool sharedA)
    {
        const int n = 6, batch = 3;
        var x = new Variable(n, "x");
        var a = new Parameter(n, "a");
        var b = new Parameter(n, "b");
        var y = new Parameter(n, "y");
        var problem = Problem.Minimize(SumSquares(x - y) + Norm2(x), Multiply(a, x) <= b);
        var program = problem.Compile();
        Assert.False(program.IsQp);
        Assert.True(program.A.IsParametric);
        Assert.Equal(n, program.A.Coefficients.Where(c => c.Slot >= 0).Select(c => c.Entry).Distinct().Count());
        Assert.True(program.A.Support.Count * 4 < program.A.Length, $"A's support {program.A.Support.Count} of {program.A.Length} is not sparse");

        using var layer = new ConvexLayer(problem, [a, b, y], [x], LayerChecks.Tight);
        Assert.False(layer.IsQp);
        var random = new Random(sharedA ? 31 : 30);
        var aValues = sharedA ? LayerChecks.Randn(random, n) : LayerChecks.Randn(random, batch, n);
        var values = new[]
        {
            aValues.abs().AtMost(1.0).Plus(0.5),
            LayerChecks.Randn(random, batch, n).abs().Times(0.5).Plus(0.2),
            LayerChecks.Randn(random, batch, n).Times(2.0),
        };

        var got = layer.forward(values)[0];
        var slack = values[1] - values[0] * got;
        Assert.True(slack.min().item<double>() > -1e-8, "a∘x ≤ b violated");
        Assert.True(ScalarSafeOperations.With(1e-7, slack.lt).any().item<bool>(), "no active row");
        Assert.True(ScalarSafeOperations.With(1e-2, slack.gt).any().item<bool>(), "no inactive row");
        LayerChecks.FiniteDifferencesMatch(layer, values, seed: sharedA ? 33 : 32, tolerance: 2e-4, step: 1e-2, fourthOrder: true);
    }
}
