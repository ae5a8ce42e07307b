using DiffOpt.Layers;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The backward pass checks each item's KKT solve and reports it (<see cref="QpSolveReport"/>): a gradient is either
/// trusted (its solve's residual within the tolerance) or zero and reported untrusted, never silently wrong.
/// </summary>
public class GradientReportTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Backward_ReportsSmallResiduals_AndTrustsEveryItem_OnNondegenerateProblems(ScalarType dtype)
    {
        var random = new ProblemGenerator(71);
        var items = Enumerable.Range(0, 4).Select(_ => random.Planted(12, 9, 4, 2).Problem).ToList();
        var args = QpTensors.Stack(items, dtype).Leaves(QpTensors.AllArgs);
        var report = new QpSolveReport();

        var z = QpFunction.Apply(args.Q, args.P, args.G, args.H, args.A, args.B, report: report);
        Assert.NotNull(report.Solution);
        Assert.Null(report.BackwardResidual);
        z.sum().backward();

        output.WriteLine("backward residuals: " + string.Join(", ", report.BackwardResidual!.Select(r => r.ToString("E2"))));
        double bound = dtype == ScalarType.Float32 ? QpSolverOptions.Default.Float32BackwardTolerance : QpSolverOptions.Default.BackwardTolerance;
        Assert.All(report.BackwardResidual!, r => Assert.InRange(r, 0, bound));
        Assert.All(report.GradientTrusted!, Assert.True);
    }

    [Fact]
    public void Backward_ZeroesAndFlagsTheGradient_WhenTheSolveMissesItsTolerance()
    {
        // A tolerance no solve can meet stands in for a failed one: the item is solved again with the other KKT form,
        // then reported untrusted with zero gradient.
        var planted = new ProblemGenerator(72).Planted(8, 6, 3, 2);
        var args = QpTensors.Single(planted.Problem).Leaves(QpArg.P, QpArg.H);
        var report = new QpSolveReport();

        var z = QpFunction.Apply(args.Q, args.P, args.G, args.H, args.A, args.B, new QpSolverOptions { BackwardTolerance = 1e-300 }, report);
        z.sum().backward();

        Assert.Equal(SolverStatus.Solved, report.Solution!.Status[0]);
        Assert.False(report.GradientTrusted![0]);
        Assert.True(report.BackwardResidual![0] > 0);
        Assert.Equal(0.0, args.P.grad!.abs().sum().item<double>());
        Assert.Equal(0.0, args.H!.grad!.abs().sum().item<double>());
    }

    [Fact]
    public void Backward_DoesNotTrust_ItemsWithoutASolution()
    {
        var random = new ProblemGenerator(73);
        var items = new[] { random.Feasible(6, 5, 1).Problem, random.PrimalInfeasible(6, 3, 1) };
        var args = QpTensors.Stack(items).Leaves(QpArg.P);
        var layer = new QpLayer();

        var z = layer.forward(args.Q, args.P, args.G, args.H, args.A, args.B);
        z.sum().backward();

        Assert.Equal(SolverStatus.PrimalInfeasible, layer.LastReport!.Solution!.Status[1]);
        Assert.Equal(new[] { true, false }, layer.LastReport.GradientTrusted);
        Assert.Equal(0.0, args.P.grad![1].abs().sum().item<double>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Backward_ReportsItsResidual_OnDegenerateProblems(int weaklyActive)
    {
        // Weakly active rows and duplicated active rows make the active-set KKT matrix singular or nearly so; the
        // report must say how well each solve went (the gradient there is one of many valid subgradients).
        var random = new ProblemGenerator(74);
        var planted = random.Planted(10, 8, 4, 2, weaklyActive: weaklyActive).Problem;
        var duplicated = planted with { G = planted.G.Stack(planted.G.SubMatrix(0, 2, 0, 10)), H = Vector(planted.H.Concat(planted.H.Take(2))) };
        var args = QpTensors.Stack(new[] { duplicated, duplicated }).Leaves(QpArg.P);
        var report = new QpSolveReport();

        var z = QpFunction.Apply(args.Q, args.P, args.G, args.H, args.A, args.B, report: report);
        z.sum().backward();

        output.WriteLine($"status {report.Solution!.Status[0]}, residuals {string.Join(", ", report.BackwardResidual!.Select(r => r.ToString("E2")))}, trusted {string.Join(", ", report.GradientTrusted!)}");
        Assert.All(report.BackwardResidual!, r => Assert.True(double.IsFinite(r)));
        Assert.True(isfinite(args.P.grad!).all().item<bool>());
    }

    private static MathNet.Numerics.LinearAlgebra.Vector<double> Vector(IEnumerable<double> values) =>
        MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfEnumerable(values);
}
