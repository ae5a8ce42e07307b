using DiffOpt.LinearAlgebra;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// The triangular solves of <see cref="CholeskySolveKernel"/> against the equations they solve, at orders below,
/// at and between the four-row blocks (so that the blocked part and the row-by-row remainder both run): the
/// residuals L y − b, Lᵀ y − b and L Lᵀ x − b must be at rounding level (backward stability of substitution,
/// Higham, "Accuracy and Stability of Numerical Algorithms", Thm. 8.5: |ΔL| ≤ γ_n |L|).
/// </summary>
public class CholeskySolveKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(16)]
    [InlineData(50)]
    [InlineData(67)]
    public unsafe void Solves_MeetTheirEquationsToRounding(int n)
    {
        var random = new Random(n);
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) l[i * n + j] = random.NextDouble() - 0.5;
            l[i * n + i] = 1 + random.NextDouble();
            for (int j = i + 1; j < n; j++) l[i * n + j] = double.NaN; // the strict upper triangle must not be read
        }
        var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        double[] forward = (double[])b.Clone(), backward = (double[])b.Clone(), both = (double[])b.Clone();
        fixed (double* lp = l, f = forward, bw = backward, s = both)
        {
            CholeskySolveKernel.ForwardInPlace(lp, n, f);
            CholeskySolveKernel.BackwardInPlace(lp, n, bw);
            CholeskySolveKernel.SolveInPlace(lp, n, s);
        }

        AssertResidual(b, Lower(l, n, forward), Scale(l, n, forward), "L y = b");
        AssertResidual(b, LowerTransposed(l, n, backward), ScaleTransposed(l, n, backward), "Lᵀ y = b");
        var lt = LowerTransposed(l, n, both);
        AssertResidual(b, Lower(l, n, lt), Scale(l, n, ScaleTransposed(l, n, both)), "L Lᵀ x = b");
    }

    private static void AssertResidual(double[] b, double[] product, double[] scale, string equation)
    {
        const double gamma = 200 * 1.1102230246251565e-16; // γ_n for n ≤ 67 with room for the second solve
        for (int i = 0; i < b.Length; i++)
            Assert.True(Math.Abs(product[i] - b[i]) <= gamma * (scale[i] + Math.Abs(b[i])),
                $"{equation}: row {i} residual {Math.Abs(product[i] - b[i]):E2} (scale {scale[i]:E2})");
    }

    private static double[] Lower(double[] l, int n, double[] x) =>
        Enumerable.Range(0, n).Select(i => Enumerable.Range(0, i + 1).Sum(j => l[i * n + j] * x[j])).ToArray();

    private static double[] LowerTransposed(double[] l, int n, double[] x) =>
        Enumerable.Range(0, n).Select(j => Enumerable.Range(j, n - j).Sum(i => l[i * n + j] * x[i])).ToArray();

    private static double[] Scale(double[] l, int n, double[] x) =>
        Lower(l.Select(Math.Abs).ToArray(), n, x.Select(Math.Abs).ToArray());

    private static double[] ScaleTransposed(double[] l, int n, double[] x) =>
        LowerTransposed(l.Select(Math.Abs).ToArray(), n, x.Select(Math.Abs).ToArray());
}
