using DiffOpt.Modeling;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// <see cref="AffineDataMap"/>'s values at its support: scattered back they are the full data, their gradient is the full
/// data's gradient, and the support's (row, column) pairs name the same entries.
/// </summary>
public class AffineDataMapTests
{
    /// <summary>A 3 × 4 block on p = 2 parameters: duplicates that add up, a coefficient that cancels, a constant entry.</summary>
    private static AffineDataMap Map() => new(12, 2,
    [
        (5, 0, 1.5), (5, 1, -2.0), (0, -1, 3.0), (11, 1, 0.25), (7, 0, 1.0), (7, 0, -1.0), (5, 0, 0.5), (2, -1, -1.0), (2, 0, 4.0),
    ]);

    [Fact]
    public void Support_IsTheEntriesWithACoefficient_AndScatteredValuesAreTheFullData()
    {
        var map = Map();
        Assert.Equal(new long[] { 0, 2, 5, 11 }, map.Support);   // entry 7's coefficients cancel
        var theta1 = tensor(new[] { 0.3, -1.2, 1.0, 2.0, 0.5, 1.0 }, [2, 3], ScalarType.Float64);
        var full = map.Apply(theta1);
        var values = map.ApplyOnSupport(theta1);
        Assert.Equal(new long[] { 2, 4 }, values.shape);
        Assert.Equal(0.0, (map.Scatter(values) - full).abs().max().item<double>());
        Assert.Equal(new[] { 3.0 + 0, -1.0 + 4 * 0.3, 2.0 * 0.3 - 2.0 * -1.2, 0.25 * -1.2 }, values[0].data<double>().ToArray());
        Assert.True(map.Scatter(values).is_contiguous());
    }

    [Fact]
    public void GradientThroughTheSupport_EqualsTheGradientThroughTheFullData()
    {
        var map = Map();
        var weights = tensor(Enumerable.Range(0, 24).Select(i => Math.Sin(i + 1.0)).ToArray(), [2, 12], ScalarType.Float64);
        var theta = tensor(new[] { 0.3, -1.2, 2.0, 0.5 }, [2, 2], ScalarType.Float64).requires_grad_();
        (map.Apply(cat([theta, ones(2, 1, dtype: ScalarType.Float64)], 1)) * weights).sum().backward();
        var full = theta.grad!.clone();
        theta.grad!.zero_();
        var support = tensor(map.Support.ToArray());
        (map.ApplyOnSupport(cat([theta, ones(2, 1, dtype: ScalarType.Float64)], 1)) * weights.index_select(1, support)).sum().backward();
        Assert.True((theta.grad! - full).abs().max().item<double>() <= 1e-15);
    }

    [Fact]
    public void ManyCoefficients_MergeInTheOrderAdded_AndApplyAsTheirSum()
    {
        // 600 coefficients on 40 entries × (p + 1) = 6 columns: many duplicates, met out of order, some cancelling.
        var random = new Random(7);
        var added = new List<(long Row, int Slot, double Value)>();
        for (int k = 0; k < 600; k++)
        {
            var (row, slot, value) = ((long)random.Next(40), random.Next(-1, 5), Math.Round(random.NextDouble() * 8 - 4, 3));
            added.Add((row, slot, value));
            if (k % 50 == 0) added.Add((row, slot, -value));
        }
        var map = new AffineDataMap(40, 5, added);

        // The sum of each (row, slot)'s values in the order added (floating-point addition is not associative).
        var sums = new SortedDictionary<(long, int), double>();
        foreach (var (row, slot, value) in added) sums[(row, slot)] = sums.GetValueOrDefault((row, slot)) + value;
        var expected = sums.Where(kv => kv.Value != 0).Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Value)).ToArray();
        Assert.Equal(expected, map.Coefficients.ToArray());
        Assert.Equal(expected.Select(e => e.Item1).Distinct(), map.Support);

        // Θ1·Mᵀ against the dense product with M written out (slot −1 is Θ1's last column).
        var dense = new double[40, 6];
        foreach (var (row, slot, value) in expected) dense[row, slot < 0 ? 5 : slot] += value;
        var theta1 = cat([randn(3, 5, dtype: ScalarType.Float64, generator: new Generator(3)), ones(3, 1, dtype: ScalarType.Float64)], 1);
        var reference = theta1.mm(tensor(dense).t());
        Assert.True((map.Apply(theta1) - reference).abs().max().item<double>() <= 1e-12);
    }

    [Fact]
    public void Entries_AreTheSupportsRowsAndColumns()
    {
        var entries = Map().Entries(4, CPU);
        Assert.Equal(new long[] { 0, 0, 1, 2 }, entries.Rows.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 2, 1, 3 }, entries.Columns.data<long>().ToArray());
    }
}
