using DiffOpt.Qp;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The step kernel's elementwise loops (<see cref="StepArithmetic"/>) give, for every length across the vector width
/// and its tail, in float64 and float32, the bits of the plain loops written out here, including where an entry is a
/// NaN, an infinity, a zero divisor, a signed zero or subnormal: the lanes promise the scalar rounding (no fused
/// multiply-add), so an entry may not depend on whether it falls in a lane block or in the tail.
/// </summary>
public class StepArithmeticTests
{
    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 4.9e-324, 1e308];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void QuotientOfDifference_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(4))
        {
            var (a, b, c, d) = (operands[0], operands[1], operands[2], operands[3]);
            if (single)
            {
                var (af, bf, cf, df) = (Single(a), Single(b), Single(c), Single(d));
                var result = new float[length];
                fixed (float* ap = af, bp = bf, cp = cf, dp = df, rp = result)
                    StepArithmetic.QuotientOfDifference(ap, bp, cp, dp, rp, length);
                for (int i = 0; i < length; i++) AssertSameBits((af[i] - bf[i] * cf[i]) / df[i], result[i], length, i);
            }
            else
            {
                var result = new double[length];
                fixed (double* ap = a, bp = b, cp = c, dp = d, rp = result)
                    StepArithmetic.QuotientOfDifference(ap, bp, cp, dp, rp, length);
                for (int i = 0; i < length; i++) AssertSameBits((a[i] - b[i] * c[i]) / d[i], result[i], length, i);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void CondensedRightHandSide_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(4))
        {
            var (r, rs, z, vt) = (operands[0], operands[1], operands[2], operands[3]);
            if (single)
            {
                var (rf, rsf, zf, vtf) = (Single(r), Single(rs), Single(z), Single(vt));
                var (rhs, dz) = (new float[length], new float[length]);
                fixed (float* rp = rf, rsp = rsf, zp = zf, vtp = vtf, rhsp = rhs, dzp = dz)
                    StepArithmetic.CondensedRightHandSide(rp, rsp, zp, vtp, rhsp, dzp, length);
                for (int i = 0; i < length; i++)
                {
                    float expected = rf[i] - rsf[i] / zf[i];
                    AssertSameBits(expected, rhs[i], length, i);
                    AssertSameBits(vtf[i] - expected, dz[i], length, i);
                }
            }
            else
            {
                var (rhs, dz) = (new double[length], new double[length]);
                fixed (double* rp = r, rsp = rs, zp = z, vtp = vt, rhsp = rhs, dzp = dz)
                    StepArithmetic.CondensedRightHandSide(rp, rsp, zp, vtp, rhsp, dzp, length);
                for (int i = 0; i < length; i++)
                {
                    double expected = r[i] - rs[i] / z[i];
                    AssertSameBits(expected, rhs[i], length, i);
                    AssertSameBits(vt[i] - expected, dz[i], length, i);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void Step_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(2))
        {
            var (x, d) = (operands[0], operands[1]);
            foreach (double alpha in new[] { 0.0, 0.37, 1.0, double.PositiveInfinity })
            {
                if (single)
                {
                    var (xf, df, alphaF) = (Single(x), Single(d), (float)alpha);
                    var result = new float[length];
                    fixed (float* xp = xf, dp = df, rp = result)
                        StepArithmetic.Step(xp, alphaF, dp, rp, length);
                    for (int i = 0; i < length; i++) AssertSameBits(xf[i] + alphaF * df[i], result[i], length, i);
                }
                else
                {
                    var result = new double[length];
                    fixed (double* xp = x, dp = d, rp = result)
                        StepArithmetic.Step(xp, alpha, dp, rp, length);
                    for (int i = 0; i < length; i++) AssertSameBits(x[i] + alpha * d[i], result[i], length, i);
                }
            }
        }
    }

    /// <summary>
    /// For lengths 0 to 19 (beyond two float32 vectors of 256 bits): random operands, and for each length one case per
    /// special value and operand, with the special at a position that moves through the lane blocks and the tail.
    /// </summary>
    private static IEnumerable<(int Length, double[][] Operands)> Cases(int operandCount)
    {
        var random = new Random(7);
        for (int length = 0; length <= 19; length++)
        {
            double[][] Fresh() => Enumerable.Range(0, operandCount)
                .Select(_ => Enumerable.Range(0, length).Select(_ => (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 9))).ToArray())
                .ToArray();
            yield return (length, Fresh());
            if (length == 0) continue;
            for (int s = 0; s < Specials.Length; s++)
                for (int operand = 0; operand < operandCount; operand++)
                {
                    var operands = Fresh();
                    operands[operand][(s * 5 + operand * 3) % length] = Specials[s];
                    yield return (length, operands);
                }
        }
    }

    private static float[] Single(double[] values) => values.Select(v => (float)v).ToArray();

    private static void AssertSameBits(double expected, double actual, int length, int index)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"length {length}, entry {index}: {actual}, expected NaN");
        else Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"length {length}, entry {index}: {actual:R}, expected {expected:R}");
    }

    private static void AssertSameBits(float expected, float actual, int length, int index)
    {
        if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"length {length}, entry {index}: {actual}, expected NaN");
        else Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"length {length}, entry {index}: {actual:R}, expected {expected:R}");
    }
}
