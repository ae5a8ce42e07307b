using DiffOpt.Samples.Tests.Common;
using SudokuStructuredPrediction.Evaluation;
using SudokuStructuredPrediction.Plotting;

namespace DiffOpt.Samples.Tests.Sudoku;

public class ErrorPlotTests
{
    private static IReadOnlyList<EpochResult> Curve(params int[] unsolved) =>
        unsolved.Select((u, epoch) => new EpochResult(epoch, 0, new SudokuEvaluation(100, u, 0), epoch)).ToList();

    [Fact]
    public void Legend_SitsOutsideTheDataArea_SoNoCurveEndIsHidden()
    {
        // The OptNet curve ends low on the right, where the default in-plot legend sat.
        var plot = ErrorPlot.Build([("OptNet", Curve(100, 40, 2)), ("conv baseline", Curve(100, 90, 80))]);
        Assert.False(plot.Legend.IsVisible);
        Assert.Contains(plot.Axes.GetPanels(), p => p.GetType().Name == "LegendPanel");
    }

    [Fact]
    public void Save_WritesAPng_WithEveryEpochIncludingZero()
    {
        using var folder = new TempFolder();
        var path = folder.File("plot.png");
        ErrorPlot.Save(path, [("OptNet", Curve(100, 40, 2))]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path)[..4]);
        var plot = ErrorPlot.Build([("OptNet", Curve(100, 40, 2))]);
        var line = Assert.IsType<ScottPlot.Plottables.Scatter>(Assert.Single(plot.GetPlottables()));
        Assert.Equal([0.0, 1.0, 2.0], line.Data.GetScatterPoints().Select(p => p.X));
    }
}
