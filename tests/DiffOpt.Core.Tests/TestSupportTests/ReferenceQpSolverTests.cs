using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupportTests;

/// <summary>The independent reference solver and the KKT certificate are themselves checked against closed forms.</summary>
public class ReferenceQpSolverTests
{
    [Fact]
    public void Reference_ReturnsClamp_ForBoxProjection()
    {
        var random = new ProblemGenerator(21);
        var c = 2 * random.NormalVector(6);
        var qp = Projections.BoxQp(c, Vector<double>.Build.Dense(6, -1), Vector<double>.Build.Dense(6, 0.5));

        var reference = ReferenceQpSolver.Solve(qp, Vector<double>.Build.Dense(6));

        Assert.True((reference.X - c.PointwiseMaximum(-1).PointwiseMinimum(0.5)).InfinityNorm() < 1e-13);
        Assert.True(reference.UniqueX);
        KktCertificate.Evaluate(qp, reference.X, reference.Lambda, reference.Nu).AssertHolds(1e-13);
    }

    [Fact]
    public void Reference_ReturnsSortBasedProjection_ForSimplex()
    {
        var random = new ProblemGenerator(22);
        var y = random.NormalVector(10);
        var qp = Projections.SimplexQp(y);

        var reference = ReferenceQpSolver.Solve(qp, Vector<double>.Build.Dense(10, 0.1));

        var (z, theta) = Projections.OntoSimplex(y);
        Assert.True((reference.X - z).InfinityNorm() < 1e-13);
        Assert.Equal(theta, reference.Nu[0], 12);
    }

    [Theory]
    [InlineData(Curvature.PositiveDefinite, 0)]
    [InlineData(Curvature.PositiveDefinite, 3)]
    [InlineData(Curvature.SingularPsd, 2)]
    [InlineData(Curvature.Zero, 2)]
    public void Reference_SatisfiesKktCertificate_OnRandomFeasibleProblems(Curvature curvature, int equalities)
    {
        var random = new ProblemGenerator(23);
        for (int trial = 0; trial < 5; trial++)
        {
            var (qp, z0) = random.Feasible(10, 16, equalities, curvature);
            var reference = ReferenceQpSolver.Solve(qp, z0);
            Assert.False(reference.Unbounded);
            KktCertificate.Evaluate(qp, reference.X, reference.Lambda, reference.Nu).AssertHolds(1e-12, $"trial {trial}");
        }
    }

    [Fact]
    public void Reference_ReportsUnbounded_ForLinearProgramWithoutLowerBound()
    {
        // min −z₀ s.t. z₁ ≤ 1: unbounded along z₀.
        var qp = new QpInstance(Matrix<double>.Build.Dense(2, 2), Vector<double>.Build.DenseOfArray([-1.0, 0.0]),
            Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 1 } }), Vector<double>.Build.Dense(1, 1.0),
            QpInstance.Empty(2), Vector<double>.Build.Dense(0));

        var reference = ReferenceQpSolver.Solve(qp, Vector<double>.Build.Dense(2));

        Assert.True(reference.Unbounded);
        Assert.True(reference.X[0] > 0.99);
    }

    [Fact]
    public void KktCertificate_Fails_ForAPerturbedSolution()
    {
        var random = new ProblemGenerator(25);
        var planted = random.Planted(6, 8, 3, 1);
        var exact = KktCertificate.Evaluate(planted.Problem, planted.Z, planted.Lambda, planted.Nu);
        var shifted = KktCertificate.Evaluate(planted.Problem, planted.Z + 1e-4, planted.Lambda, planted.Nu);
        var negative = KktCertificate.Evaluate(planted.Problem, planted.Z, planted.Lambda - 1e-4, planted.Nu);

        Assert.True(exact.Worst < 1e-13);
        Assert.True(shifted.Worst > 1e-6);
        Assert.True(negative.DualFeasibility > 1e-6 && negative.Complementarity > 1e-6);
    }

}
