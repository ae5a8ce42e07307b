using DiffOpt.Samples;

namespace Denoising.Plotting;

/// <summary>Draws one signal and its reconstructions to a PNG file (ScottPlot).</summary>
public static class SignalPlot
{
    /// <summary>Saves the plot; each series is a name and the signal's values.</summary>
    public static void Save(string path, string title, IEnumerable<(string Name, float[] Values)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new ScottPlot.Plot();
        foreach (var (name, values) in series)
        {
            var line = plot.Add.Scatter(Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray(), values.Select(v => (double)v).ToArray());
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        plot.Title(title);
        plot.XLabel("sample");
        plot.YLabel("value");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        OutputFolder.EnsureFor(path);
        plot.SavePng(path, 800, 450);
    }
}
