using DiffOpt.Samples;
using ScottPlot;

namespace ResourceAllocation.Plotting;

/// <summary>A bar chart of held-out regret per training method.</summary>
public static class RegretPlot
{
    /// <summary>Saves the chart to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<(string Name, double Regret)> bars)
    {
        var plot = new Plot();
        var values = bars.Select(b => b.Regret).ToArray();
        plot.Add.Bars(values);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => b.Name).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Resource allocation: mean held-out regret (lower is better)");
        plot.YLabel("regret vs. the oracle allocation");
        OutputFolder.EnsureFor(path);
        plot.SavePng(path, 700, 450);
    }
}
