using DiffOpt.Samples;

namespace ConvexControl.Plotting;

/// <summary>The average simulated cost per training iteration.</summary>
public static class CostPlot
{
    /// <summary>Saves the curve (and the paper's two published values as reference lines) to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<double> costs, double publishedStart, double publishedEnd)
    {
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(Enumerable.Range(0, costs.Count).Select(i => (double)i).ToArray(), costs.ToArray());
        line.LegendText = "ours (common random numbers)";
        line.MarkerSize = 3;
        var start = plot.Add.HorizontalLine(publishedStart);
        start.LegendText = $"published, LQR initialisation ({publishedStart})";
        start.LinePattern = ScottPlot.LinePattern.Dotted;
        var end = plot.Add.HorizontalLine(publishedEnd);
        end.LegendText = $"published, after training ({publishedEnd})";
        end.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title("Convex control policy: average cost per SGD iteration");
        plot.XLabel("iteration");
        plot.YLabel("average cost (8 rollouts x 25 steps)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        OutputFolder.EnsureFor(path);
        plot.SavePng(path, 800, 450);
    }
}
