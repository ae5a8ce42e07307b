using DiffOpt.Native;
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

    /// <summary>
    /// max |Q| and max |Q − Qᵀ| equal the tensor formulas' on asymmetric batches of every size, including a matrix with
    /// a NaN or an infinity (which take the pass that propagates NaN as the tensor maxima do).
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float64, 1, double.NaN)]
    [InlineData(ScalarType.Float64, 5, double.NaN)]
    [InlineData(ScalarType.Float64, 13, double.NaN)]
    [InlineData(ScalarType.Float64, 13, double.PositiveInfinity)]
    [InlineData(ScalarType.Float32, 6, double.NaN)]
    [InlineData(ScalarType.Float32, 11, double.NegativeInfinity)]
    public void Magnitudes_EqualTheTensorFormulas(ScalarType dtype, int n, double poison)
    {
        using var scope = NewDisposeScope();
        var q = randn(3, n, n, dtype: ScalarType.Float64, generator: new Generator((ulong)n)).to_type(dtype);
        var symmetric = q.Plus(q.transpose(1, 2)).Times(0.5);
        foreach (var matrices in new[] { q, symmetric, Poisoned(q, poison, 0, 0), Poisoned(q, poison, n - 1, 0) })
        {
            var (maxAbs, asymmetry) = HostInputChecks.Magnitudes(matrices);
            Assert.Equal(matrices.abs().max().to_type(ScalarType.Float64).item<double>(), maxAbs);
            Assert.Equal((matrices - matrices.transpose(1, 2)).abs().max().to_type(ScalarType.Float64).item<double>(), asymmetry);
        }
    }

    private static Tensor Poisoned(Tensor q, double value, int row, int column)
    {
        var poisoned = q.clone();
        poisoned[1, row, column] = tensor(value, dtype: ScalarType.Float64).to_type(q.dtype);
        return poisoned;
    }
}
