using Xunit.Abstractions;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Asserts a set of finite-difference comparisons and logs them.</summary>
internal static class GradientAssert
{
    /// <summary>The goal of the issue: analytic gradients within 1e-6 relative of central differences on nondegenerate problems.</summary>
    public const double Tolerance = 1e-6;

    public static void AllClose(IReadOnlyList<GradientComparison> comparisons, ITestOutputHelper output, double tolerance = Tolerance)
    {
        foreach (var c in comparisons) output.WriteLine(c.ToString());
        var worst = comparisons.MaxBy(c => c.RelativeError)!;
        output.WriteLine($"worst relative error {worst.RelativeError:E2} ({worst.Arg})");
        Assert.True(worst.RelativeError <= tolerance, $"Gradient check failed (tolerance {tolerance:G3}): {worst}");
        // Guard against a vacuous check: most directional derivatives must be clearly nonzero.
        Assert.True(comparisons.Count(c => Math.Abs(c.Numeric) > 10 * GradientComparison.Floor) >= comparisons.Count / 2,
            "Most directional derivatives are ~0: the check would not detect a wrong gradient.");
    }

    /// <summary>
    /// Asserts that each gradient is within <paramref name="tolerance"/> of the exact one, relative to the largest
    /// entry of the exact gradient of that argument (floored at 1e-3).
    /// </summary>
    public static void MatchesExact(ExactGradients exact, IReadOnlyDictionary<QpArg, TorchSharp.torch.Tensor> grads, ITestOutputHelper output,
        double tolerance = Tolerance, int item = 0)
    {
        var expected = new Dictionary<QpArg, double[]>
        {
            [QpArg.Q] = exact.Q.ToRowMajorArray(), [QpArg.P] = exact.P.ToArray(), [QpArg.G] = exact.G.ToRowMajorArray(),
            [QpArg.H] = exact.H.ToArray(), [QpArg.A] = exact.A.ToRowMajorArray(), [QpArg.B] = exact.B.ToArray(),
        };
        foreach (var (arg, grad) in grads)
        {
            var g = grad.dim() > QpTensorsItems.UnbatchedRank(arg) ? grad[item] : grad;
            var actual = QpTensors.ToVector(g.flatten()).ToArray();
            double scale = Math.Max(expected[arg].Select(Math.Abs).DefaultIfEmpty(0).Max(), GradientComparison.Floor);
            double error = actual.Zip(expected[arg], (a, e) => Math.Abs(a - e)).DefaultIfEmpty(0).Max() / scale;
            output.WriteLine($"{arg}: max |analytic − exact active-set gradient| / max |exact| = {error:E2}");
            Assert.True(error <= tolerance, $"{arg}: gradient differs from the exact active-set derivative by {error:G3} (relative)");
        }
    }
}
