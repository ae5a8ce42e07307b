using System.Numerics;
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
    public void QuotientOfDifference_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(4))
        {
            if (single) QuotientOfDifference<float>(length, operands);
            else QuotientOfDifference<double>(length, operands);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CondensedRightHandSide_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(4))
        {
            if (single) CondensedRightHandSide<float>(length, operands);
            else CondensedRightHandSide<double>(length, operands);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Step_GivesThePlainLoopsBits(bool single)
    {
        foreach (var (length, operands) in Cases(2))
            foreach (double alpha in new[] { 0.0, 0.37, 1.0, double.PositiveInfinity })
            {
                if (single) Step<float>(length, operands, alpha);
                else Step<double>(length, operands, alpha);
            }
    }

    private static unsafe void QuotientOfDifference<T>(int length, double[][] operands) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b, c, d) = (In<T>(operands[0]), In<T>(operands[1]), In<T>(operands[2]), In<T>(operands[3]));
        var result = new T[length];
        fixed (T* ap = a, bp = b, cp = c, dp = d, rp = result)
            StepArithmetic.QuotientOfDifference(ap, bp, cp, dp, rp, length);
        for (int i = 0; i < length; i++) AssertSameBits((a[i] - b[i] * c[i]) / d[i], result[i], length, i);
    }

    private static unsafe void CondensedRightHandSide<T>(int length, double[][] operands) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (r, rs, z, vt) = (In<T>(operands[0]), In<T>(operands[1]), In<T>(operands[2]), In<T>(operands[3]));
        var (rhs, dz) = (new T[length], new T[length]);
        fixed (T* rp = r, rsp = rs, zp = z, vtp = vt, rhsp = rhs, dzp = dz)
            StepArithmetic.CondensedRightHandSide(rp, rsp, zp, vtp, rhsp, dzp, length);
        for (int i = 0; i < length; i++)
        {
            T expected = r[i] - rs[i] / z[i];
            AssertSameBits(expected, rhs[i], length, i);
            AssertSameBits(vt[i] - expected, dz[i], length, i);
        }
    }

    private static unsafe void Step<T>(int length, double[][] operands, double alphaValue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, d, alpha) = (In<T>(operands[0]), In<T>(operands[1]), T.CreateTruncating(alphaValue));
        var result = new T[length];
        fixed (T* xp = x, dp = d, rp = result)
            StepArithmetic.Step(xp, alpha, dp, rp, length);
        for (int i = 0; i < length; i++) AssertSameBits(x[i] + alpha * d[i], result[i], length, i);
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

    private static T[] In<T>(double[] values) where T : IFloatingPointIeee754<T> => values.Select(T.CreateTruncating).ToArray();

    /// <summary>The same bits (any NaN for a NaN); a float32 widens to float64 exactly, keeping its sign and zero.</summary>
    private static void AssertSameBits<T>(T expectedValue, T actualValue, int length, int index) where T : IFloatingPointIeee754<T>
    {
        double expected = double.CreateTruncating(expectedValue), actual = double.CreateTruncating(actualValue);
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"length {length}, entry {index}: {actual}, expected NaN");
        else Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"length {length}, entry {index}: {actual:R}, expected {expected:R}");
    }
}
