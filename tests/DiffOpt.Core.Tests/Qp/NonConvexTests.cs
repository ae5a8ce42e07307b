using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>An indefinite or negative definite Q makes the problem non-convex; such items say so and the rest of the batch is solved.</summary>
public class NonConvexTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_ReportsNonConvex_WhenQIsNegativeDefinite(bool withBox)
    {
        // minimize −½‖x‖² (over |x| ≤ 1): the origin satisfies the KKT conditions but is the maximum.
        var q = -eye(2, dtype: ScalarType.Float64);
        var g = withBox ? cat(new[] { eye(2, dtype: ScalarType.Float64), -eye(2, dtype: ScalarType.Float64) }) : null;
        var h = withBox ? ones(4, dtype: ScalarType.Float64) : null;

        var solution = new QpSolver().Solve(q, zeros(2, dtype: ScalarType.Float64), g, h, null, null);

        Assert.Equal(SolverStatus.NonConvex, solution.Status[0]);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Solve_FlagsOnlyTheNonConvexItems_AndSolvesTheRest(ScalarType dtype)
    {
        var random = new ProblemGenerator(51);
        var items = Enumerable.Range(0, 4).Select(_ => random.Planted(6, 5, 2, 1)).ToList();
        // Item 1: one eigenvalue −0.01 (indefinite, unbounded along it); item 3: a PSD but singular Q (convex).
        var indefinite = items[1].Problem.Q.Evd();
        var eigenvalues = indefinite.EigenValues.Map(e => e.Real);
        eigenvalues[0] = -0.01;
        var qIndefinite = indefinite.EigenVectors * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalVector(eigenvalues) * indefinite.EigenVectors.Transpose();
        var problems = new[]
        {
            items[0].Problem, items[1].Problem with { Q = (qIndefinite + qIndefinite.Transpose()) / 2 }, items[2].Problem,
            random.Feasible(6, 5, 1, Curvature.SingularPsd).Problem,
        };

        var solution = QpTensors.Stack(problems, dtype).Solve();

        Assert.Equal(SolverStatus.NonConvex, solution.Status[1]);
        Assert.All(new[] { 0, 2, 3 }, i => Assert.Equal(SolverStatus.Solved, solution.Status[i]));
        double accuracy = dtype == ScalarType.Float32 ? 1e-3 : 1e-6;
        VectorAssert.Close(items[0].Z, SolutionItem.Of(solution, 0).X, accuracy, "x of item 0");
        VectorAssert.Close(items[2].Z, SolutionItem.Of(solution, 2).X, accuracy, "x of item 2");
    }

    [Theory]
    [InlineData(-1e-7, SolverStatus.Solved)]      // within the default tolerance 1e-5: rounding in the data
    [InlineData(-1e-3, SolverStatus.NonConvex)]
    public void Solve_AcceptsSmallNegativeEigenvalues_UpToTheConvexityTolerance(double eigenvalue, SolverStatus expected)
    {
        // Q = diag(1, ε) rotated by 45°, minimised over the box |x| ≤ 1 (bounded whatever the sign of ε).
        var rotation = tensor(new[,] { { 1.0, -1.0 }, { 1.0, 1.0 } }).DividedBy(Math.Sqrt(2));
        var q = rotation.matmul(diag(tensor(new[] { 1.0, eigenvalue }))).matmul(rotation.T);
        var box = cat(new[] { eye(2, dtype: ScalarType.Float64), -eye(2, dtype: ScalarType.Float64) });

        var solution = new QpSolver().Solve(q, tensor(new[] { 0.3, -0.2 }), box, ones(4, dtype: ScalarType.Float64), null, null);

        Assert.Equal(expected, solution.Status[0]);
    }

    [Fact]
    public void Gradients_AreZero_ForNonConvexItems()
    {
        var q = stack(new[] { eye(2, dtype: ScalarType.Float64), -eye(2, dtype: ScalarType.Float64) });
        var p = tensor(new[,] { { 1.0, -1.0 }, { 1.0, -1.0 } }).requires_grad_();

        var x = QpFunction.Apply(q, p, null, null, null, null);
        x.sum().backward();

        Assert.Equal(new[] { 0.0, 0.0 }, p.grad![1].data<double>().ToArray());
        Assert.NotEqual(0.0, p.grad![0].abs().sum().item<double>());
    }
}
