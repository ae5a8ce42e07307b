using DiffOpt.Samples;
using SudokuStructuredPrediction.Evaluation;

namespace SudokuStructuredPrediction.Plotting;

/// <summary>Draws test error per epoch of one or more models to a PNG file (ScottPlot).</summary>
public static class ErrorPlot
{
    /// <summary>Saves the plot; each series is a model's name and its epochs (epoch 0 = before training).</summary>
    public static void Save(string path, IEnumerable<(string Name, IReadOnlyList<EpochResult> Epochs)> series)
    {
        var plot = Build(series);
        OutputFolder.EnsureFor(path);
        plot.SavePng(path, 720, 420);
    }

    /// <summary>The plot: one line per model, the legend in a panel right of the data area so it covers no curve.</summary>
    internal static ScottPlot.Plot Build(IEnumerable<(string Name, IReadOnlyList<EpochResult> Epochs)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new ScottPlot.Plot();
        foreach (var (name, epochs) in series)
        {
            var line = plot.Add.Scatter(epochs.Select(e => (double)e.Epoch).ToArray(), epochs.Select(e => 100 * e.Test.Error).ToArray());
            line.LegendText = name;
        }
        plot.Title("4x4 Sudoku: test error per epoch");
        plot.XLabel("epoch");
        plot.YLabel("test error (%)");
        plot.Axes.SetLimitsY(-2, 102);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot;
    }
}
