using DiffOpt.Numerics;

namespace DiffOpt.Tests.Numerics;

/// <summary>The elementwise <see cref="SpanKernels"/> loops equal their scalar definitions bit for bit, and the ∞-norm is the exact maximum.</summary>
public class SpanKernelsTests
{
    [Fact]
    public void ScaleAndAdd_EqualTheScalarLoopsExactly()
    {
        var random = new Random(3);
        for (int n = 0; n <= 13; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            double a = random.NextDouble() * 3;
            var scaled = new double[n];
            SpanKernels.Scale(a, x, scaled);
            Assert.Equal(x.Select(v => a * v).ToArray(), scaled);
            var sum = (double[])y.Clone();
            SpanKernels.Add(x, sum);
            Assert.Equal(y.Zip(x, (p, q) => p + q).ToArray(), sum);
        }
    }

    [Fact]
    public void NormInf_IsTheLargestMagnitude_AndNaNWherever()
    {
        Assert.Equal(0, SpanKernels.NormInf([]));
        for (int n = 1; n <= 13; n++)
            for (int at = 0; at < n; at++)
            {
                var x = Enumerable.Range(0, n).Select(k => (k % 2 == 0 ? 1 : -1) * 0.25 * k / n).ToArray();
                x[at] = -3;
                Assert.Equal(3, SpanKernels.NormInf(x));
                x[at] = double.NaN;
                Assert.True(double.IsNaN(SpanKernels.NormInf(x)), $"NaN at {at} of {n}");
                x[at] = double.NegativeInfinity;
                Assert.Equal(double.PositiveInfinity, SpanKernels.NormInf(x));
            }
    }
}
