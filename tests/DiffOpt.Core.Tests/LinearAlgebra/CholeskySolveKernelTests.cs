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
        var l = RandomFactor(random, n);
        var b = RandomVector(random, n);

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

    /// <summary>
    /// The two-system forms alternate two solves' steps, each with the arithmetic of the one-system form: their
    /// results have its bits (and so meet the equations as <see cref="Solves_MeetTheirEquationsToRounding"/> checks).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(67)]
    public unsafe void TwoSystemSolves_HaveTheBitsOfOneSystemSolves(int n)
    {
        var random = new Random(100 + n);
        double[] l0 = RandomFactor(random, n), l1 = RandomFactor(random, n), b0 = RandomVector(random, n), b1 = RandomVector(random, n);
        foreach (var (name, one, two) in new (string, OneSystem, TwoSystems)[]
        {
            ("forward", CholeskySolveKernel.ForwardInPlace, CholeskySolveKernel.ForwardInPlace),
            ("backward", CholeskySolveKernel.BackwardInPlace, CholeskySolveKernel.BackwardInPlace),
            ("both", CholeskySolveKernel.SolveInPlace, CholeskySolveKernel.SolveInPlace),
        })
        {
            double[] single0 = (double[])b0.Clone(), single1 = (double[])b1.Clone(), paired0 = (double[])b0.Clone(), paired1 = (double[])b1.Clone();
            fixed (double* lp0 = l0, lp1 = l1, s0 = single0, s1 = single1, p0 = paired0, p1 = paired1)
            {
                one(lp0, n, s0);
                one(lp1, n, s1);
                two(lp0, p0, lp1, p1, n);
            }
            Assert.Equal(single0.Select(BitConverter.DoubleToInt64Bits), paired0.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(single1.Select(BitConverter.DoubleToInt64Bits), paired1.Select(BitConverter.DoubleToInt64Bits));
            Assert.NotEqual(b0, single0); // the solve wrote its result: a copy would pass the comparison too
        }
    }

    private unsafe delegate void OneSystem(double* l, int n, double* b);

    private unsafe delegate void TwoSystems(double* l0, double* b0, double* l1, double* b1, int n);

    /// <summary>A well-conditioned random lower-triangular factor with NaN in the strict upper triangle, which must not be read.</summary>
    private static double[] RandomFactor(Random random, int n)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) l[i * n + j] = random.NextDouble() - 0.5;
            l[i * n + i] = 1 + random.NextDouble();
            for (int j = i + 1; j < n; j++) l[i * n + j] = double.NaN;
        }
        return l;
    }

    private static double[] RandomVector(Random random, int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();

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
