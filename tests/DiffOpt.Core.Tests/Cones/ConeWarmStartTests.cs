using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// Warm starts (<see cref="ConeWarmStart"/>): a re-solve of slightly perturbed data from the previous solution reaches
/// the same solution as a cold solve in fewer iterations in total; malformed warm starts are refused.
/// </summary>
public class ConeWarmStartTests(ITestOutputHelper output)
{
    public static TheoryData<string> Families => ["nonnegative", "soc", "psd", "exp"];

    private static Cone[] Family(string name) => name switch
    {
        "nonnegative" => [new ZeroCone(2), new NonnegativeCone(12)],
        "soc" => [new ZeroCone(1), new NonnegativeCone(3), new SecondOrderCone(3), new SecondOrderCone(4)],
        "psd" => [new NonnegativeCone(2), new PsdCone(2), new PsdCone(3)],
        _ => [new ZeroCone(1), new NonnegativeCone(2), new ExponentialCone(3)],
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void WarmStart_SavesIterations_OnPerturbedData(string family)
    {
        var point = PlantedConePrograms.Plant(Family(family), variables: 7, batch: 8, seed: 31, withP: true, diagonal: 2);
        var solver = new ConeProgramSolver();
        var previous = solver.Solve(point.A, point.B, point.C, point.Cones, point.P);
        manual_seed(3);
        var b = point.B * randn_like(point.B).Times(1e-3).Plus(1L);
        var c = point.C * randn_like(point.C).Times(1e-3).Plus(1L);
        var cold = solver.Solve(point.A, b, c, point.Cones, point.P);
        var warm = solver.Solve(point.A, b, c, point.Cones, point.P, ConeWarmStart.From(previous));
        output.WriteLine($"{family}: cold {string.Join(",", cold.Iterations)} = {cold.Iterations.Sum()}, " +
            $"warm {string.Join(",", warm.Iterations)} = {warm.Iterations.Sum()}; warm {string.Join(",", warm.Status)}");
        Assert.All(warm.Status, s => Assert.Equal(SolverStatus.Solved, s));
        // Both meet the tolerance 1e-8; on curved cones two such points differ by about √gap (up to 3e-5 measured here),
        // while their objectives agree to the tolerance.
        double difference = ((warm.X - cold.X).abs() / cold.X.abs().Plus(1L)).max().item<double>();
        Tensor Objective(Tensor x) => (c * x).sum(1).Plus((x * point.P!.matmul(x.unsqueeze(2)).squeeze(2)).sum(1).Times(0.5));
        double objective = ((Objective(warm.X) - Objective(cold.X)).abs() / Objective(cold.X).abs().Plus(1L)).max().item<double>();
        output.WriteLine($"  max relative x difference {difference:E2}, objective difference {objective:E2}");
        Assert.True(difference <= 1e-4, $"warm and cold x differ by {difference:E2}");
        Assert.True(objective <= 1e-7, $"warm and cold objectives differ by {objective:E2}");
        Assert.True(warm.Iterations.Sum() < cold.Iterations.Sum(), "the warm start saved no iterations");
    }

    [Fact]
    public void WarmStart_IsRefused_WhenMalformed()
    {
        var point = PlantedConePrograms.Plant(Family("soc"), variables: 7, batch: 2, seed: 1, diagonal: 2);
        var solver = new ConeProgramSolver();
        var good = solver.Solve(point.A, point.B, point.C, point.Cones);
        var wrongShape = new ConeWarmStart(good.X[.., ..3], good.Y, good.S);
        var notFinite = new ConeWarmStart(good.X, good.Y.Times(double.NaN), good.S);
        var badMargin = ConeWarmStart.From(good) with { Margin = 0 };
        foreach (var bad in new[] { wrongShape, notFinite, badMargin })
        {
            var error = Assert.Throws<ArgumentException>(() => solver.Solve(point.A, point.B, point.C, point.Cones, null, bad));
            Assert.Equal("warmStart", error.ParamName);
        }
    }
}
