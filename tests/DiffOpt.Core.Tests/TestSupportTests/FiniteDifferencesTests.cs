using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupportTests;

/// <summary>The finite-difference machinery reproduces a closed-form directional derivative.</summary>
public class FiniteDifferencesTests
{
    [Fact]
    public void CentralDifferences_MatchClosedForm_ForUnconstrainedProblem()
    {
        // z = −Q⁻¹p, L = wᵀz: along D_p, dL = −wᵀQ⁻¹D_p; along symmetric D_Q, dL = wᵀQ⁻¹D_Q Q⁻¹p.
        var random = new ProblemGenerator(803);
        var q = random.Quadratic(5, Curvature.PositiveDefinite);
        var p = random.NormalVector(5);
        var point = QpTensors.Single(QpInstance.Unconstrained(q, p));
        var weights = FiniteDifferences.RandomWeights(point, random);
        var directions = FiniteDifferences.RandomDirections(point, random, 2, QpArg.Q, QpArg.P);

        var numeric = FiniteDifferences.CentralDifferences(point, weights, directions, FiniteDifferences.Tight, FiniteDifferences.Step);

        var w = QpTensors.ToVector(weights[0]);
        for (int j = 0; j < directions.Count; j++)
        {
            var (arg, direction) = directions[j];
            double exact = arg == QpArg.P
                ? -w * q.Solve(QpTensors.ToVector(direction))
                : w * q.Solve(QpTensors.ToMatrix(direction) * q.Solve(p));
            // Truncation error t²·L‴/6 with ‖Q⁻¹D‖ up to ~40 here: about 1e-7 relative at t = 1e-5.
            Assert.True(Math.Abs(numeric[j] - exact) <= 1e-6 * Math.Max(1, Math.Abs(exact)), $"{arg}: {numeric[j]:G12} vs {exact:G12}");
        }
    }
}
