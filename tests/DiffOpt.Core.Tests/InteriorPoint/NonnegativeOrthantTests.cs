using DiffOpt.InteriorPoint;
using static TorchSharp.torch;

namespace DiffOpt.Core.Tests.InteriorPoint;

/// <summary>
/// The orthant arithmetic shared by the QP's inequality block and the cone solver: the step to the boundary lands on
/// the boundary (the blocking row reaches 0, no row goes negative), the per-item and tensor forms agree in float64
/// and float32, and membership, margin and the diagonal scaling refuse points outside the interior.
/// </summary>
public class NonnegativeOrthantTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(double.PositiveInfinity)]
    public void StepToBoundary_StopsAtTheBlockingRow_OnBothForms(double limit)
    {
        double[] v = [2, 1, 3, 0.5];
        double[] dv = [-4, 1, -1, 0];
        // Row 0 blocks at 2/4 = 0.5 (row 2 at 3).
        double alpha = NonnegativeOrthant.StepToBoundary<double>(v, dv, limit);
        Assert.Equal(0.5, alpha);
        Assert.Equal(0.0, v[0] + alpha * dv[0]);
        for (int i = 0; i < v.Length; i++) Assert.True(v[i] + alpha * dv[i] >= 0);
        using var scope = NewDisposeScope();
        var batched = NonnegativeOrthant.StepToBoundary(tensor(v).unsqueeze(0), tensor(dv).unsqueeze(0), limit);
        Assert.Equal(0.5, batched[0].item<double>());
    }

    [Fact]
    public void StepToBoundary_IsTheLimitForAnIncreasingDirection_AndZeroOutsideTheOrthant()
    {
        Assert.Equal(1f, NonnegativeOrthant.StepToBoundary<float>([1f, 2f], [1f, 0f], 1f));
        Assert.Equal(double.PositiveInfinity, NonnegativeOrthant.StepToBoundary<double>([1, 2], [1, 0], double.PositiveInfinity));
        Assert.Equal(0.0, NonnegativeOrthant.StepToBoundary<double>([1, -1e-12], [1, 1], 1));
        using var scope = NewDisposeScope();
        var v = tensor(new[,] { { 1f, 2f }, { 1f, -1e-6f } });
        var step = NonnegativeOrthant.StepToBoundary(v, ones_like(v), 1);
        Assert.Equal(new[] { 1f, 0f }, step.data<float>().ToArray());
        var empty = NonnegativeOrthant.StepToBoundary(zeros(3, 0), zeros(3, 0), 1);
        Assert.Equal(new[] { 1f, 1f, 1f }, empty.data<float>().ToArray());
    }

    /// <summary>
    /// The float64 span form takes four rows at a time and the rest one by one: for every length up to 13, with blocking
    /// rows, rows at 0, increasing and zero directions and a negative row at each position, it gives the scalar ratio
    /// test's step (the minimum of −vᵢ/dvᵢ over dvᵢ &lt; 0 and the limit, computed here row by row) bit for bit, and the
    /// tensor form's.
    /// </summary>
    [Fact]
    public void StepToBoundary_SpanLanes_GiveTheRowByRowRatioTest()
    {
        var random = new Random(11);
        using var scope = NewDisposeScope();
        for (int length = 0; length <= 13; length++)
            for (int trial = 0; trial < 20; trial++)
            {
                var v = Enumerable.Range(0, length).Select(_ => random.Next(5) == 0 ? 0.0 : random.NextDouble() * 3).ToArray();
                var dv = Enumerable.Range(0, length).Select(_ => random.Next(4) == 0 ? 0.0 : random.NextDouble() * 4 - 2.5).ToArray();
                if (trial % 5 == 4 && length > 0) v[random.Next(length)] = -1e-300;
                double limit = trial % 2 == 0 ? 1.0 : double.PositiveInfinity;
                double expected = v.Any(x => x < 0) ? 0
                    : Enumerable.Range(0, length).Where(i => dv[i] < 0).Select(i => -v[i] / dv[i]).Append(limit).Min();
                double alpha = NonnegativeOrthant.StepToBoundary<double>(v, dv, limit);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(alpha));
                if (length == 0) continue;
                var batched = NonnegativeOrthant.StepToBoundary(tensor(v).unsqueeze(0), tensor(dv).unsqueeze(0), limit);
                Assert.Equal(expected, batched[0].item<double>());
            }
    }

    /// <summary>
    /// The lanes' edge values against the row-by-row ratio test with <see cref="Math.Min(double, double)"/>: a NaN in v
    /// or in a decreasing direction makes the step NaN wherever it sits (inside a lane block or in the tail), a NaN
    /// direction is no direction, −0 rows block at −0 as in the scalar loop, infinite entries give 0 or ∞ ratios.
    /// </summary>
    [Theory]
    [InlineData(double.NaN, -1.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(-0.0, -1.0)]
    [InlineData(0.0, -0.0)]
    [InlineData(double.PositiveInfinity, -1.0)]
    [InlineData(1.0, double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity, double.NegativeInfinity)]
    public void StepToBoundary_SpanLanes_TreatEdgeValuesAsTheScalarLoop(double special, double specialStep)
    {
        for (int length = 1; length <= 13; length++)
            for (int position = 0; position < length; position++)
                foreach (double limit in new[] { 1.0, double.PositiveInfinity })
                {
                    var v = Enumerable.Range(0, length).Select(i => 0.5 + i).ToArray();
                    var dv = Enumerable.Range(0, length).Select(i => i % 2 == 0 ? -1.0 - i : 0.25).ToArray();
                    (v[position], dv[position]) = (special, specialStep);
                    double expected = limit;
                    for (int i = 0; i < length; i++)
                        if (dv[i] < 0) expected = Math.Min(expected, -v[i] / dv[i]);
                    double alpha = NonnegativeOrthant.StepToBoundary<double>(v, dv, limit);
                    if (double.IsNaN(expected)) Assert.True(double.IsNaN(alpha), $"length {length}, position {position}: {alpha}");
                    else Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(alpha));
                }
    }

    [Fact]
    public void Membership_Margin_AndScaling_RefusePointsOutsideTheInterior()
    {
        Assert.True(NonnegativeOrthant.Contains<double>([0, 1, -1e-10], 1e-9));
        Assert.False(NonnegativeOrthant.Contains<double>([0, 1, -1e-8], 1e-9));
        Assert.False(NonnegativeOrthant.Contains<double>([double.NaN], 1e-9));
        Assert.Equal(-2.0, NonnegativeOrthant.Margin<double>([3, -2, 1]));
        Assert.Equal(double.PositiveInfinity, NonnegativeOrthant.Margin<double>([]));

        var h = new double[2];
        Assert.True(NonnegativeOrthant.Scaling<double>([2, 3], [4, 1], h));
        Assert.Equal(new[] { 0.5, 3.0 }, h);
        Assert.False(NonnegativeOrthant.Scaling<double>([2, 0], [4, 1], h));
        Assert.False(NonnegativeOrthant.Scaling<double>([2, 1], [4, 0], h));
        using var scope = NewDisposeScope();
        var s = tensor(new[,] { { 0.0, 1.0 }, { -1.0, 2.0 } });
        Assert.Equal(new[] { true, false }, NonnegativeOrthant.Contains(s, 0).data<bool>().ToArray());
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 2.0 }, NonnegativeOrthant.Project(s).data<double>().ToArray());
    }
}
