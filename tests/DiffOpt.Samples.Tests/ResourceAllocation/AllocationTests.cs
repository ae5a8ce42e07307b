using DiffOpt.Samples.Tests.Common;
using Microsoft.ML;
using Microsoft.ML.Data;
using ResourceAllocation.Data;
using ResourceAllocation.Model;
using Program = ResourceAllocation.Program;

namespace DiffOpt.Samples.Tests.ResourceAllocation;

[Collection(ConsoleCollection.Name)]
public class AllocationTests
{
    private sealed class OracleRow
    {
        [VectorType(AllocationRow.ResourceCount)] public float[] TrueMean { get; set; } = [];
        [VectorType(AllocationRow.ResourceCount)] public float[] Oracle { get; set; } = [];
        public uint OracleStatus { get; set; }
    }

    /// <summary>
    /// The allocation's KKT solution, independent of any solver: wⱼ(ν) = clip((μⱼ − ν) / (2γσⱼ²), 0, cap) with the
    /// budget's multiplier ν ≥ 0 zero when Σw(0) ≤ 1, else found by bisection on Σw(ν) = 1 (Σw is nonincreasing in ν).
    /// </summary>
    private static double[] Kkt(AllocationProblem p, float[] mu)
    {
        double[] W(double nu) => mu.Select((m, j) => Math.Clamp((m - nu) / (2 * p.RiskAversion * p.Sigma[j] * p.Sigma[j]), 0, p.Capacity)).ToArray();
        if (W(0).Sum() <= 1) return W(0);
        double lo = 0, hi = mu.Max() + 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (W(mid).Sum() > 1) lo = mid; else hi = mid;
        }
        return W((lo + hi) / 2);
    }

    [Fact]
    public void TheOracleAllocation_MatchesTheKktSolution()
    {
        var ml = new MLContext(seed: 0);
        var problem = new AllocationProblem(AllocationRow.ResourceCount);
        var data = ml.Data.LoadFromEnumerable(AllocationData.Generate(80, seed: 3));
        var rows = ml.Data.CreateEnumerable<OracleRow>(AllocationTraining.Oracle(ml, problem).Fit(data).Transform(data), reuseRowObject: false).ToList();
        Assert.Contains(rows, r => Kkt(problem, r.TrueMean).Sum() > 1 - 1e-9); // the budget binds somewhere
        Assert.Contains(rows, r => Kkt(problem, r.TrueMean).Any(w => w == problem.Capacity)); // and a capacity
        foreach (var r in rows)
        {
            Assert.Equal(DiffOpt.ML.SolverStatusColumn.KeyOf(DiffOpt.SolverStatus.Solved), r.OracleStatus);
            var expected = Kkt(problem, r.TrueMean);
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - r.Oracle[j]) < 1e-5, $"w[{j}]: KKT {expected[j]}, solver {r.Oracle[j]}");
        }
    }

    [Fact]
    public void BothTrainings_GiveFeasibleAllocations_WithNonNegativeRegret()
    {
        var ml = new MLContext(seed: 0);
        var problem = new AllocationProblem(AllocationRow.ResourceCount);
        var rows = AllocationData.Generate(160, seed: 4);
        var train = ml.Data.LoadFromEnumerable(rows.Take(100));
        var test = ml.Data.LoadFromEnumerable(rows.Skip(100));
        var oracle = AllocationTraining.Oracle(ml, problem).Fit(test);
        var settings = new AllocationTraining.Settings(3, 25, 0.02, 1, []);
        foreach (var focused in new[] { false, true })
        {
            var model = AllocationTraining.Pipeline(ml, problem, settings, focused, "test").Fit(train);
            var scored = oracle.Transform(model.Transform(test));
            var report = RegretReport.Measure(ml, scored, problem);
            Assert.Equal(0, report.Unsolved);
            Assert.True(report.MeanRegret >= -1e-6, $"regret {report.MeanRegret}");
            var column = scored.GetColumn<float[]>("Score").ToList();
            Assert.All(column, w =>
            {
                Assert.True(w.Sum() <= 1 + 1e-5, $"budget: {w.Sum()}");
                Assert.All(w, v => Assert.InRange(v, -1e-5, problem.Capacity + 1e-5));
            });
        }
    }

    [Fact]
    public void TheDemo_OnSmallData_PrintsBothRegrets_AndWritesThePlot()
    {
        using var folder = new TempFolder();
        var (code, output, error) = ConsoleCapture.Run(Program.Main, "--output", folder.Path, "--train", "60", "--test", "30", "--epochs", "2");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var lines = ConsoleCapture.Lines(output);
        Assert.Contains(lines, l => l.StartsWith("two-stage epoch 2/2"));
        Assert.Contains(lines, l => l.StartsWith("decision-focused epoch 2/2"));
        Assert.Matches(@"^held-out mean regret: two-stage \d+\.\d{4}, decision-focused \d+\.\d{4}$", lines[^1]);
        Assert.True(new FileInfo(folder.File("regret.png")).Length > 1000);
        Assert.True(File.Exists(folder.File("decision-focused.zip")));
        var bad = ConsoleCapture.Run(Program.Main, "--output", folder.Path, "--train", "1");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: ", bad.Error);
    }
}
