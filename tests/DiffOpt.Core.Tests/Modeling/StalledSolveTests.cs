using DiffOpt.Modeling;
using DiffOpt.Tests.TestSupport;
using static DiffOpt.Modeling.Atoms;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// At tolerances near what the KKT solves can reach, an item can stall: the step search fails close to the optimum,
/// after steps that may have raised the residuals by orders of magnitude. Such an item must end at its best iterate
/// (which meets the relaxed tolerances: Inaccurate), not at its last one. Whether and where an item stalls follows
/// MKL's rounding, which varies with the data's alignment; before the best iterate was kept, about 3 % of these
/// programs ended in NumericalError with a point 1e-6 off (points 35, 58, 92 of 150 in one run).
/// </summary>
public class StalledSolveTests
{
    [KernelPathFact]
    public void PowerAtomsAtTightTolerances_NeverEndInNumericalError()
    {
        var options = LayerChecks.Tight with { UseQpSolver = false };
        var generator = new Random(20261207);
        var failures = new List<string>();
        int inaccurate = 0;
        for (int item = 0; item < 100; item++)
        {
            // min Σt s.t. x^(-3/2) ≤ t (a tree of second-order cones), x fixed: the optimum is Σ x^(-3/2).
            var point = Enumerable.Range(0, 3).Select(_ => 0.2 + 2 * generator.NextDouble()).ToArray();
            var x = new Variable(3, "x");
            var t = new Variable(3, "t", true);
            var solution = Problem.Minimize(Sum(t), Power(x, -1.5) <= t, x == new Constant(point)).Solve(options: options);
            double expected = point.Sum(v => Math.Pow(v, -1.5));
            if (solution.Status[0] == SolverStatus.Inaccurate) inaccurate++;
            if (!solution.Status[0].HasSolution() || !(Math.Abs(solution.OptimalValue[0] - expected) <= 1e-6 * expected))
                failures.Add($"point {item} [{string.Join(", ", point)}]: {solution.Status[0]}, {solution.OptimalValue[0]:G12} against {expected:G12}");
        }
        Assert.Empty(failures);
        // Some items stall at these tolerances (else this test would check nothing about stalls).
        Assert.InRange(inaccurate, 1, 50);
    }
}
