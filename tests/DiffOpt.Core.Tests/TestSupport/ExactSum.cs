using System.Numerics;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Exact sums of products of doubles, the oracle of the compensated kernels' tests: every double is m·2^e with an
/// integer m, so a product of doubles is an integer times a power of two, and a sum of such products is exact in
/// <see cref="BigInteger"/> arithmetic over the smallest exponent. Only the final rounding to double is inexact.
/// </summary>
internal sealed class ExactSum
{
    // Every term is held as an integer multiple of 2^MinExponent: below the smallest product of two or three
    // subnormal-free doubles that the tests use.
    private const int MinExponent = -3300;
    private BigInteger _units;

    /// <summary>Adds the product of <paramref name="factors"/> exactly (finite doubles only).</summary>
    public ExactSum Add(params double[] factors)
    {
        BigInteger mantissa = BigInteger.One;
        int exponent = 0;
        foreach (double f in factors)
        {
            if (!double.IsFinite(f)) throw new ArgumentException("ExactSum takes finite values only.", nameof(factors));
            if (f == 0) return this;
            long bits = BitConverter.DoubleToInt64Bits(f);
            int biased = (int)((bits >> 52) & 0x7FF);
            long fraction = bits & 0xFFFFFFFFFFFFFL;
            long m = biased == 0 ? fraction : fraction | (1L << 52);
            mantissa *= f < 0 ? -m : m;
            exponent += (biased == 0 ? 1 : biased) - 1075;
        }
        if (exponent < MinExponent) throw new ArgumentOutOfRangeException(nameof(factors), "Product too small for ExactSum.");
        _units += mantissa << (exponent - MinExponent);
        return this;
    }

    /// <summary>The exact sum, rounded to the nearest double.</summary>
    public double Value
    {
        get
        {
            if (_units.IsZero) return 0;
            // Keep 64 significant bits (more than a double's 53) and scale; the remaining rounding is the double's.
            long shift = Math.Max(0, (long)BigInteger.Abs(_units).GetBitLength() - 64);
            double head = (double)(_units >> (int)shift);
            return Math.ScaleB(head, (int)(shift + MinExponent));
        }
    }
}
