namespace DiffOpt.Benchmarks.Common;

/// <summary>Summary statistics used by the benchmark reports.</summary>
public static class Statistics
{
    /// <summary>
    /// Shifted geometric mean exp(mean(log(v + shift))) − shift (the benchmark convention used by qpbenchmark,
    /// after Mittelmann), robust to both tiny and huge values.
    /// </summary>
    public static double ShiftedGeometricMean(IReadOnlyCollection<double> values, double shift = 10.0)
    {
        if (values.Count == 0) throw new ArgumentException("Argument 'values' is empty; expected at least one value.", nameof(values));
        if (values.Any(v => !(v >= 0)))
            throw new ArgumentException("Argument 'values' has a negative or NaN entry; expected non-negative values.", nameof(values));
        return Math.Exp(values.Average(v => Math.Log(v + shift))) - shift;
    }

    /// <summary>Median (mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("Argument 'values' is empty; expected at least one value.", nameof(values));
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }
}
