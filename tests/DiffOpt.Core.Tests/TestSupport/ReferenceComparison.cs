using DiffOpt.Qp;
using Xunit.Abstractions;

namespace DiffOpt.Tests.TestSupport;

/// <summary>Compares every item of a solution with <see cref="ReferenceQpSolver"/> and checks its KKT certificate.</summary>
internal static class ReferenceComparison
{
    /// <summary>
    /// Asserts, for every item: status Solved; KKT certificate within <paramref name="certificate"/>; objective
    /// within <paramref name="objective"/>·(1 + |f*|) of the reference; X (where the reference proves it unique) and
    /// the duals (where also unique) within <paramref name="point"/>·(1 + ‖reference‖∞). Logs the errors.
    /// </summary>
    public static void AssertMatches(IReadOnlyList<FeasibleQp> problems, QpSolution solution, ITestOutputHelper output,
        double objective, double point, double certificate)
    {
        for (int i = 0; i < problems.Count; i++)
        {
            var qp = problems[i].Problem;
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            var kkt = KktCertificate.Evaluate(qp, item.X, item.Lambda, item.Nu);
            kkt.AssertHolds(certificate, $"(item {i})");

            var reference = ReferenceQpSolver.Solve(qp, problems[i].Z0);
            Assert.False(reference.Unbounded);
            double objectiveError = Math.Abs(qp.Objective(item.X) - reference.Objective) / (1 + Math.Abs(reference.Objective));
            double xError = Error(reference.X, item.X);
            double dualError = Math.Max(Error(reference.Lambda, item.Lambda), Error(reference.Nu, item.Nu));
            output.WriteLine($"item {i}: iterations {solution.Iterations[i]}, objective rel. error {objectiveError:E2}, " +
                $"x error {xError:E2} (unique: {reference.UniqueX}), dual error {dualError:E2} (unique: {reference.UniqueDuals}), KKT {kkt.Worst:E2}");
            Assert.True(objectiveError <= objective, $"item {i}: objective {qp.Objective(item.X):G12} vs reference {reference.Objective:G12}");
            if (reference.UniqueX)
                Assert.True(xError <= point, $"item {i}: x error {xError:G3} > {point:G3}");
            if (reference.UniqueX && reference.UniqueDuals)
                Assert.True(dualError <= point, $"item {i}: dual error {dualError:G3} > {point:G3}");
        }
    }

    /// <summary>‖actual − expected‖∞ / (1 + ‖expected‖∞); 0 for empty vectors.</summary>
    public static double Error(MathNet.Numerics.LinearAlgebra.Vector<double> expected, MathNet.Numerics.LinearAlgebra.Vector<double> actual) =>
        expected.Count == 0 ? 0 : (actual - expected).InfinityNorm() / (1 + expected.InfinityNorm());
}
