using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace DiffOpt.Tests.Qp;

/// <summary>Problems whose solution is known in closed form.</summary>
public class AnalyticSolutionTests(ITestOutputHelper output)
{
    /// <summary>Allowed error in X and duals at default tolerances on these well-conditioned problems.</summary>
    private const double Accuracy = 1e-7;

    [Theory]
    [InlineData(1, true)]
    [InlineData(1, false)]
    [InlineData(3, true)]
    [InlineData(3, false)]
    public void Solve_ReturnsMinusQInverseP_WhenUnconstrained(int batch, bool emptyAsNull)
    {
        var random = new ProblemGenerator(11);
        var items = Enumerable.Range(0, batch)
            .Select(_ => QpInstance.Unconstrained(random.Quadratic(7, Curvature.PositiveDefinite), random.NormalVector(7)))
            .ToList();
        var args = QpTensors.Stack(items, emptyAsNull: emptyAsNull);

        var solution = args.Solve();

        Assert.Equal([batch, 7L], solution.X.shape);
        Assert.Equal([batch, 0L], solution.InequalityDuals.shape);
        Assert.Equal([batch, 0L], solution.EqualityDuals.shape);
        for (int i = 0; i < batch; i++)
        {
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            AssertClose(items[i].Q.Solve(-items[i].P), item.X, "z = −Q⁻¹p");
        }
        StatusHonesty.AssertHonest(args, solution);
    }

    [Theory]
    [InlineData(Curvature.PositiveDefinite)]
    [InlineData(Curvature.SingularPsd)]
    public void Solve_MatchesKktLinearSystem_WhenOnlyEqualities(Curvature curvature)
    {
        // [Q Aᵀ; A 0][z; ν] = [−p; b]; for singular Q the matrix is still nonsingular when null(Q) ∩ null(A) = {0}.
        var random = new ProblemGenerator(12);
        var items = Enumerable.Range(0, 3)
            .Select(_ => random.Feasible(8, 0, 4, curvature).Problem with { P = random.NormalVector(8) })
            .ToList();
        var args = QpTensors.Stack(items);

        var solution = args.Solve();

        for (int i = 0; i < items.Count; i++)
        {
            var qp = items[i];
            var kkt = Matrix<double>.Build.DenseOfMatrixArray(new[,] { { qp.Q, qp.A.Transpose() }, { qp.A, Matrix<double>.Build.Dense(qp.K, qp.K) } });
            var exact = kkt.Solve(Vector<double>.Build.DenseOfEnumerable((-qp.P).Concat(qp.B)));
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            AssertClose(exact.SubVector(0, qp.N), item.X, "z from the KKT system");
            AssertClose(exact.SubVector(qp.N, qp.K), item.Nu, "ν from the KKT system");
        }
        StatusHonesty.AssertHonest(args, solution);
    }

    [Fact]
    public void Solve_ReturnsClamp_WhenProjectingOntoABox()
    {
        // min ½‖z − c‖² s.t. lower ≤ z ≤ upper: z = clamp(c, lower, upper), λ_upper = (c − upper)₊, λ_lower = (lower − c)₊.
        var random = new ProblemGenerator(13);
        var items = new List<QpInstance>();
        for (int i = 0; i < 4; i++)
        {
            var lower = random.UniformVector(6, -1.5, -0.1);
            var upper = random.UniformVector(6, 0.1, 1.5);
            items.Add(Projections.BoxQp(2 * random.NormalVector(6), lower, upper));
        }
        var args = QpTensors.Stack(items, shared: QpArg.Q);

        var solution = args.Solve();

        foreach (var (qp, i) in items.Select((qp, i) => (qp, i)))
        {
            var c = -qp.P;
            var upper = qp.H.SubVector(0, 6);
            var lower = -qp.H.SubVector(6, 6);
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            AssertClose(c.PointwiseMaximum(lower).PointwiseMinimum(upper), item.X, "clamp(c, lower, upper)");
            var expectedDuals = Vector<double>.Build.DenseOfEnumerable((c - upper).PointwiseMaximum(0).Concat((lower - c).PointwiseMaximum(0)));
            AssertClose(expectedDuals, item.Lambda, "box multipliers");
        }
        StatusHonesty.AssertHonest(args, solution);
    }

    [Fact]
    public void Solve_ReturnsSortBasedProjection_WhenProjectingOntoTheSimplex()
    {
        var random = new ProblemGenerator(14);
        var points = Enumerable.Range(0, 5).Select(_ => 0.7 * random.NormalVector(9)).ToList();
        var items = points.Select(Projections.SimplexQp).ToList();
        var args = QpTensors.Stack(items, shared: [QpArg.Q, QpArg.G, QpArg.H, QpArg.A, QpArg.B]);

        var solution = args.Solve();

        for (int i = 0; i < points.Count; i++)
        {
            var (z, theta) = Projections.OntoSimplex(points[i]);
            var item = SolutionItem.Of(solution, i);
            Assert.Equal(SolverStatus.Solved, item.Status);
            AssertClose(z, item.X, "sort-based simplex projection");
            AssertClose(Vector<double>.Build.Dense(1, theta), item.Nu, "ν = θ");
            AssertClose((theta - points[i]).PointwiseMaximum(0), item.Lambda, "λ = (θ − y)₊");
        }
        StatusHonesty.AssertHonest(args, solution);
    }

    private void AssertClose(Vector<double> expected, Vector<double> actual, string what) =>
        VectorAssert.Close(expected, actual, Accuracy, what, output);
}
