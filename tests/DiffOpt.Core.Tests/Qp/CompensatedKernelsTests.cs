using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using DiffOpt.Numerics;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The compensated dot product and scaled update against exact arithmetic (<see cref="ExactSum"/>) on sums that
/// cancel to a tiny fraction of their terms: the kernels meet the Dot2 bound ε|result| + γ²Σ|terms| (Ogita, Rump,
/// Oishi 2005), which plain sums miss by orders of magnitude on the same data.
/// </summary>
public class CompensatedKernelsTests
{
    [Theory]
    [InlineData(9)]
    [InlineData(37)]
    [InlineData(200)]
    public void Dot_OfACancellingSum_MeetsTheDot2Bound_WherePlainSumsDoNot(int pairs)
    {
        var (x, y) = CancellingSum(pairs, remainder: 1e-3, seed: pairs);
        var exact = new ExactSum();
        double magnitude = 0;
        for (int k = 0; k < x.Length; k++) { exact.Add(x[k], y[k]); magnitude += Math.Abs(x[k] * y[k]); }

        double hi, lo, plain;
        unsafe
        {
            fixed (double* xp = x, yp = y)
            {
                hi = CompensatedKernels.Dot(xp, yp, x.Length, out lo);
                plain = VectorKernels.Dot(xp, yp, x.Length);
            }
        }
        double bound = Dot2Bound(exact.Value, magnitude, x.Length);
        Assert.True(Math.Abs(hi + lo - exact.Value) <= bound, $"compensated {hi + lo:R} vs exact {exact.Value:R} (bound {bound:E2})");
        Assert.True(Math.Abs(plain - exact.Value) > 100 * bound, $"the data must defeat a plain sum (plain error {Math.Abs(plain - exact.Value):E2})");
    }

    [Fact]
    public void Dot_InFloat32_MeetsTheBoundOfItsPrecision()
    {
        var (x64, y64) = CancellingSum(50, remainder: 1e-2, seed: 11, float32: true);
        float[] x = x64.Select(v => (float)v).ToArray(), y = y64.Select(v => (float)v).ToArray();
        var exact = new ExactSum();
        double magnitude = 0;
        for (int k = 0; k < x.Length; k++) { exact.Add(x[k], y[k]); magnitude += Math.Abs((double)x[k] * y[k]); }
        float hi, lo;
        unsafe { fixed (float* xp = x, yp = y) hi = CompensatedKernels.Dot(xp, yp, x.Length, out lo); }
        double bound = Dot2Bound(exact.Value, magnitude, x.Length, epsilon: Math.ScaleB(1.0, -24));
        Assert.True(Math.Abs((double)hi + lo - exact.Value) <= bound, $"compensated {hi + lo:R} vs exact {exact.Value:R} (bound {bound:E2})");
    }

    [Fact]
    public void AddScaled_AccumulatesRowsLikeExactArithmetic()
    {
        // result_j = Σ_i u_i M_ij over rows that cancel column by column.
        const int rows = 24, columns = 13;
        var random = new Random(5);
        var matrix = new double[rows * columns];
        var u = new double[rows];
        for (int i = 0; i < rows; i++) u[i] = Math.ScaleB(random.NextDouble() + 0.5, random.Next(-8, 8)) * (i % 2 == 0 ? 1 : -1);
        for (int j = 0; j < columns; j++)
            for (int i = 0; i < rows; i += 2)
            {
                double value = Math.ScaleB(random.NextDouble() + 0.5, random.Next(-20, 20));
                matrix[i * columns + j] = value;
                // The odd row nearly undoes the even one: u_{i+1} M_{i+1,j} ≈ −u_i M_ij.
                matrix[(i + 1) * columns + j] = value * u[i] / -u[i + 1] * (1 + 1e-12 * random.NextDouble());
            }
        var hi = new double[columns];
        var lo = new double[columns];
        var plain = new double[columns];
        unsafe
        {
            fixed (double* m = matrix, up = u, h = hi, l = lo, pl = plain)
                for (int i = 0; i < rows; i++)
                {
                    CompensatedKernels.AddScaled(m + i * columns, up[i], h, l, columns);
                    VectorKernels.SubtractScaled(m + i * columns, -up[i], pl, columns);
                }
        }
        int plainMisses = 0;
        for (int j = 0; j < columns; j++)
        {
            var exact = new ExactSum();
            double magnitude = 0;
            for (int i = 0; i < rows; i++) { exact.Add(u[i], matrix[i * columns + j]); magnitude += Math.Abs(u[i] * matrix[i * columns + j]); }
            double bound = Dot2Bound(exact.Value, magnitude, rows);
            Assert.True(Math.Abs(hi[j] + lo[j] - exact.Value) <= bound, $"column {j}: {hi[j] + lo[j]:R} vs exact {exact.Value:R}");
            if (Math.Abs(plain[j] - exact.Value) > 100 * bound) plainMisses++;
        }
        Assert.True(plainMisses > columns / 2, $"the data must defeat plain sums (they missed in {plainMisses} of {columns} columns)");
    }

    [Fact]
    public void AddScaled_VectorLanes_RoundLikeTheScalarFormula_BitForBit()
    {
        // The vector loop writes some of TwoSum's additions as fused multiply-adds by ±1, which must round exactly as
        // the plain additions of the scalar AddProduct that serves the entries past the last full vector.
        const int length = 61;
        var random = new Random(17);
        double Value() => Math.ScaleB(random.NextDouble() - 0.5, random.Next(-30, 30));
        var x = Enumerable.Range(0, length).Select(_ => Value()).ToArray();
        var (hi, lo) = (Enumerable.Range(0, length).Select(_ => Value()).ToArray(), Enumerable.Range(0, length).Select(_ => Value() * 1e-17).ToArray());
        var (expectedHi, expectedLo) = ((double[])hi.Clone(), (double[])lo.Clone());
        double a = Value();
        unsafe
        {
            fixed (double* xp = x, h = hi, l = lo)
                CompensatedKernels.AddScaled(xp, a, h, l, length);
        }
        for (int k = 0; k < length; k++) CompensatedKernels.AddProduct(ref expectedHi[k], ref expectedLo[k], a, x[k]);
        Assert.Equal(expectedHi, hi);
        Assert.Equal(expectedLo, lo);
    }

    /// <summary>ε|result| + γ_n²Σ|terms| with γ_n = nε/(1 − nε), doubled for the final combination of hi and lo.</summary>
    internal static double Dot2Bound(double exact, double magnitude, int terms, double epsilon = 1.1102230246251565e-16)
    {
        double gamma = terms * epsilon / (1 - terms * epsilon);
        return 2 * (epsilon * Math.Abs(exact) + gamma * gamma * magnitude);
    }

    /// <summary>
    /// x, y whose dot product is <paramref name="remainder"/> plus rounding-level leftovers although its terms reach
    /// 1e12: each pair a·b is followed by −fl(a·b) and −(a·b − fl(a·b)) (exact by a fused multiply-add), shuffled.
    /// </summary>
    private static (double[] X, double[] Y) CancellingSum(int pairs, double remainder, int seed, bool float32 = false)
    {
        var random = new Random(seed);
        var terms = new List<(double X, double Y)>();
        for (int i = 0; i < pairs; i++)
        {
            double a = Math.ScaleB(random.NextDouble() + 0.5, random.Next(-20, 20));
            double b = Math.ScaleB(random.NextDouble() + 0.5, random.Next(-20, 20)) * (random.Next(2) == 0 ? 1 : -1);
            if (float32) { a = (float)a; b = (float)b; }
            double p = float32 ? (float)(a * b) : a * b;
            double e = float32 ? a * b - p : Math.FusedMultiplyAdd(a, b, -p);  // a·b of two floats is exact in double
            terms.Add((a, b));
            terms.Add((p, -1));
            terms.Add((e, -1));
        }
        terms.Add((remainder, 1));
        var shuffled = terms.OrderBy(_ => random.Next()).ToArray();
        return (shuffled.Select(t => t.X).ToArray(), shuffled.Select(t => t.Y).ToArray());
    }
}
