using DiffOpt.Cones;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// The CPU kernel's per-item cones (<see cref="KernelCone"/>) against the batched tensor cones of the tensor path
/// (<see cref="HomogeneousCones"/>): the scaling Hs, Hs⁻¹ = FFᵀ, the combined-step shift and the step to the boundary
/// agree to 1e-9 relative at random interior points, for every cone type.
/// </summary>
public class KernelConeTests
{
    public static TheoryData<string> Families => new() { "nonnegative", "soc", "psd", "psd5", "exp" };

    private static Cone For(string family) => family switch
    {
        "nonnegative" => new NonnegativeCone(4),
        "soc" => new SecondOrderCone(5),
        "psd" => new PsdCone(3),
        "psd5" => new PsdCone(5),
        _ => new ExponentialCone(2),
    };

    /// <summary>e + 0.25·noise, the unit element moved off the central ray but kept interior.</summary>
    private static double[] Interior(Cone cone, Random random)
    {
        var kernel = HomogeneousItemSolver.Create([cone])[0];
        var e = new double[cone.Rows];
        kernel.Unit(e);
        return e.Select(v => v + 0.25 * (2 * random.NextDouble() - 1)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void KernelCone_AgreesWithTheTensorCones(string family)
    {
        var cone = For(family);
        var random = new Random(7);
        int r = cone.Rows;
        var s = Interior(cone, random);
        var z = Interior(cone, random);
        var ds = Enumerable.Range(0, r).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var dz = Enumerable.Range(0, r).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        const double sigmaMu = 0.3;

        var kernel = HomogeneousItemSolver.Create([cone])[0];
        Assert.True(kernel.Scale(s, z));
        var tensorCones = new HomogeneousCones([cone]);
        Tensor Row(double[] v) => tensor(v, dtype: ScalarType.Float64).unsqueeze(0);
        var scaling = tensorCones.Scale(Row(s), Row(z));
        var dense = scaling.DenseHs()[0];

        var back = new double[r];
        var columns = Columns(kernel);
        for (int j = 0; j < r; j++)
        {
            var hu = columns[j];
            for (int i = 0; i < r; i++) AssertClose(dense[i, j].item<double>(), hu[i], $"Hs[{i},{j}]");
            kernel.MulHinv(hu, back);
            for (int i = 0; i < r; i++) AssertClose(i == j ? 1 : 0, back[i], $"Hs⁻¹Hs[{i},{j}]");
        }

        var affine = new HomogeneousIterate(zeros(1, 1, dtype: ScalarType.Float64), Row(ds), Row(dz),
            zeros(1, dtype: ScalarType.Float64), zeros(1, dtype: ScalarType.Float64));
        // The exponential cones' third-order term enters with the weight the solver passes (the affine step length).
        const double correction = 0.7;
        var expected = tensorCones.CombinedShift(Row(s), Row(z), scaling, affine, tensor(new[] { sigmaMu }, dtype: ScalarType.Float64),
            tensor(new[] { correction }, dtype: ScalarType.Float64))[0];
        if (kernel is KernelExponentialCone exponential) exponential.CorrectionWeight = correction;
        var shift = new double[r];
        kernel.CombinedShift(s, z, ds, dz, sigmaMu, shift);
        for (int i = 0; i < r; i++) AssertClose(expected[i].item<double>(), shift[i], $"shift[{i}]");

        if (kernel.IsSymmetric)
        {
            double step = tensorCones.SymmetricStep(Row(s), Row(ds), Row(z), Row(dz)).item<double>();
            double ours = Math.Min(kernel.StepToBoundary(s, ds), kernel.StepToBoundary(z, dz));
            AssertClose(step, ours, "step");
        }
    }

    [Fact]
    public void ExponentialScale_WithoutHalfInverse_AcceptsTheSameScalings()
    {
        // Without Fᵀ (the sparse KKT path) Scale forms the same Hs and accepts and rejects the same points: interior
        // pairs near and far from the central path, near the boundary, and outside the dual cone.
        var random = new Random(29);
        for (int trial = 0; trial < 200; trial++)
        {
            var cone = new ExponentialCone(3);
            double spread = trial % 4 == 0 ? 1e-6 : 0.45;
            var s = Interior(cone, random).Select(v => v * (1 + spread * (2 * random.NextDouble() - 1))).ToArray();
            var z = Interior(cone, random);
            if (trial % 10 == 0) z[0] = -z[0];
            var full = (KernelExponentialCone)HomogeneousItemSolver.Create([cone])[0];
            var bare = (KernelExponentialCone)HomogeneousItemSolver.Create([cone], sparseKkt: true)[0];
            Assert.True(full.HalfInverseUsed);
            Assert.False(bare.HalfInverseUsed);
            bool accepted = full.Scale(s, z);
            Assert.Equal(accepted, bare.Scale(s, z));
            if (!accepted) continue;
            var unit = new double[9];
            var (h1, h2) = (new double[9], new double[9]);
            for (int j = 0; j < 9; j++)
            {
                Array.Clear(unit);
                unit[j] = 1;
                full.MulH(unit, h1);
                bare.MulH(unit, h2);
                Assert.Equal(h1, h2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void HalfInverse_GivesTheGramOfTheInverseScaling(string family)
    {
        // G = FᵀA with Hs⁻¹ = FFᵀ: GᵀG = AᵀHs⁻¹A, A taken column by column through MulHinv.
        var random = new Random(19);
        var kernel = ScaledKernel(family, random);
        int r = kernel.Rows, n = 3;
        var a = Enumerable.Range(0, r * n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var g = new double[r * n];
        kernel.HalfInverse(a, g, n);
        var column = new double[r];
        var inverse = new double[r];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < r; i++) column[i] = a[i * n + j];
            kernel.MulHinv(column, inverse);
            for (int l = 0; l < n; l++)
            {
                double expected = Enumerable.Range(0, r).Sum(i => a[i * n + l] * inverse[i]);
                double gram = Enumerable.Range(0, r).Sum(i => g[i * n + l] * g[i * n + j]);
                AssertClose(expected, gram, $"GᵀG[{l},{j}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void MulAbsH_MultipliesByTheEntriesAbsoluteValues(string family)
    {
        // |Hs|·u for a nonnegative u (as the backward error passes it), Hs's columns taken through MulH (checked above
        // against the tensor path).
        var random = new Random(23);
        var kernel = ScaledKernel(family, random);
        int r = kernel.Rows;
        var u = Enumerable.Range(0, r).Select(_ => random.NextDouble()).ToArray();
        var expected = new double[r];
        var columns = Columns(kernel);
        for (int j = 0; j < r; j++)
            for (int i = 0; i < r; i++) expected[i] += Math.Abs(columns[j][i]) * u[j];
        var result = new double[r];
        kernel.MulAbsH(u, result);
        for (int i = 0; i < r; i++) AssertClose(expected[i], result[i], $"|Hs|u[{i}]");
    }

    /// <summary>The kernel cone of <paramref name="family"/>, scaled at random interior points.</summary>
    private static KernelCone ScaledKernel(string family, Random random)
    {
        var cone = For(family);
        var kernel = HomogeneousItemSolver.Create([cone])[0];
        Assert.True(kernel.Scale(Interior(cone, random), Interior(cone, random)));
        return kernel;
    }

    /// <summary>Hs column by column, through MulH.</summary>
    private static double[][] Columns(KernelCone kernel)
    {
        int r = kernel.Rows;
        var columns = new double[r][];
        for (int j = 0; j < r; j++)
        {
            var unit = new double[r];
            unit[j] = 1;
            columns[j] = new double[r];
            kernel.MulH(unit, columns[j]);
        }
        return columns;
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
}
