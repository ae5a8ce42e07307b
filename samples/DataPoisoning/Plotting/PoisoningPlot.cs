using DataPoisoning.Data;
using DiffOpt.Samples;
using ScottPlot;
using static TorchSharp.torch;

namespace DataPoisoning.Plotting;

/// <summary>Draws the 2-feature case: points, the gradient arrows, the moved points and both decision boundaries.</summary>
public static class PoisoningPlot
{
    /// <summary>Saves the plot to <paramref name="path"/>.</summary>
    public static void Save(string path, LabelledSet train, LabelledSet test, Tensor gradient, Tensor poisoned, int[] moved,
        (double[] Theta, double Beta) clean, (double[] Theta, double Beta) attacked)
    {
        var plot = new Plot();
        var x = train.Features.cpu().data<double>().ToArray();
        var y = train.Labels.cpu().data<double>().ToArray();
        var tx = test.Features.cpu().data<double>().ToArray();
        var ty = test.Labels.cpu().data<double>().ToArray();
        var g = gradient.cpu().data<double>().ToArray();
        var p = poisoned.cpu().data<double>().ToArray();
        AddPoints(plot, x, y, +1, "train, label +1", Colors.Blue, MarkerShape.FilledCircle);
        AddPoints(plot, x, y, -1, "train, label −1", Colors.Red, MarkerShape.FilledCircle);
        AddPoints(plot, tx, ty, +1, "test, label +1", Colors.Blue, MarkerShape.OpenCircle);
        AddPoints(plot, tx, ty, -1, "test, label −1", Colors.Red, MarkerShape.OpenCircle);
        double longest = Enumerable.Range(0, train.Count).Max(i => Math.Sqrt(g[2 * i] * g[2 * i] + g[2 * i + 1] * g[2 * i + 1]));
        double scale = 0.8 / Math.Max(longest, 1e-12);
        for (int i = 0; i < train.Count; i++)
        {
            var arrow = plot.Add.Arrow(new Coordinates(x[2 * i], x[2 * i + 1]),
                new Coordinates(x[2 * i] + scale * g[2 * i], x[2 * i + 1] + scale * g[2 * i + 1]));
            arrow.ArrowFillColor = Colors.Gray;
            arrow.ArrowLineColor = Colors.Gray;
        }
        var moves = plot.Add.ScatterPoints(moved.Select(i => p[2 * i]).ToArray(), moved.Select(i => p[2 * i + 1]).ToArray());
        moves.MarkerShape = MarkerShape.FilledDiamond;
        moves.MarkerSize = 10;
        moves.Color = Colors.Orange;
        moves.LegendText = "poisoned positions";
        double lo = Math.Min(x.Min(), tx.Min()) - 0.5, hi = Math.Max(x.Max(), tx.Max()) + 0.5;
        AddBoundary(plot, clean, lo, hi, "clean boundary", Colors.Black, LinePattern.Solid);
        AddBoundary(plot, attacked, lo, hi, "poisoned boundary", Colors.Orange, LinePattern.Dashed);
        plot.Axes.SetLimits(lo, hi, lo, hi);
        plot.Title("Data poisoning: test-loss gradient w.r.t. each training point (arrows)");
        plot.XLabel("feature 1");
        plot.YLabel("feature 2");
        plot.ShowLegend(Alignment.UpperLeft);
        OutputFolder.EnsureFor(path);
        plot.SavePng(path, 800, 700);
    }

    private static void AddPoints(Plot plot, double[] x, double[] y, double label, string name, Color color, MarkerShape shape)
    {
        var rows = Enumerable.Range(0, y.Length).Where(i => y[i] == label).ToArray();
        var points = plot.Add.ScatterPoints(rows.Select(i => x[2 * i]).ToArray(), rows.Select(i => x[2 * i + 1]).ToArray());
        points.Color = color;
        points.MarkerShape = shape;
        points.MarkerSize = 7;
        points.LegendText = name;
    }

    /// <summary>The line θ₁x₁ + θ₂x₂ + β = 0 across [lo, hi].</summary>
    private static void AddBoundary(Plot plot, (double[] Theta, double Beta) c, double lo, double hi, string name, Color color, LinePattern pattern)
    {
        var (t, b) = c;
        if (Math.Abs(t[0]) < 1e-12 && Math.Abs(t[1]) < 1e-12) return;
        var (start, end) = Math.Abs(t[1]) >= Math.Abs(t[0])
            ? (new Coordinates(lo, -(b + t[0] * lo) / t[1]), new Coordinates(hi, -(b + t[0] * hi) / t[1]))
            : (new Coordinates(-(b + t[1] * lo) / t[0], lo), new Coordinates(-(b + t[1] * hi) / t[0], hi));
        var line = plot.Add.Line(start, end);
        line.Color = color;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.LegendText = name;
    }
}
