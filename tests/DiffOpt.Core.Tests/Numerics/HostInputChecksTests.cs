using DiffOpt.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Numerics;

/// <summary>
/// The host form of the input checks (<see cref="HostInputChecks.Entries"/>): a NaN or ±∞ is found wherever it sits,
/// in the vectorised body of the pass or in its scalar tail, for float64 and float32.
/// </summary>
public class HostInputChecksTests
{
    [Theory]
    [InlineData(ScalarType.Float64, 0)]
    [InlineData(ScalarType.Float64, 517)]    // inside the vectorised body
    [InlineData(ScalarType.Float64, 1002)]   // in the scalar tail (1003 entries: 250 vectors of 4 and 3 more)
    [InlineData(ScalarType.Float32, 3)]
    [InlineData(ScalarType.Float32, 999)]    // inside the vectorised body (125 vectors of 8)
    [InlineData(ScalarType.Float32, 1001)]   // in the scalar tail
    public void Entries_FindsANaNOrAnInfinityAtAnyPosition(ScalarType dtype, int position)
    {
        using var scope = NewDisposeScope();
        var clean = randn(1003, dtype: ScalarType.Float64, generator: new Generator(7)).to_type(dtype);
        Assert.Equal((true, false), HostInputChecks.Entries(clean, nanOnly: false));

        foreach (var (value, isNan) in new[] { (double.NaN, true), (double.PositiveInfinity, false), (double.NegativeInfinity, false) })
        {
            var poisoned = clean.clone();
            poisoned[position] = tensor(value, dtype: ScalarType.Float64).to_type(dtype);
            // A NaN fails both checks; an infinity fails the finiteness check only, and is reported either way.
            Assert.Equal((false, !isNan), HostInputChecks.Entries(poisoned, nanOnly: false));
            Assert.Equal((!isNan, !isNan), HostInputChecks.Entries(poisoned, nanOnly: true));
        }
    }
}
