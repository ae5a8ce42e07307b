using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Scaling the cost (Q, p), the inequalities (G, h), the equalities (A, b) or all of them by a positive factor does
/// not change the minimiser, and must change neither the status nor the returned point beyond the tolerance: the
/// tolerance applies to data of unit size, whatever size the caller's data have.
/// </summary>
public class ScaleInvarianceTests(ITestOutputHelper output)
{
    /// <summary>Allowed error in x at the default options on these well-conditioned problems.</summary>
    private const double Accuracy = 1e-6;

    /// <summary>Which blocks of the data are scaled.</summary>
    public enum Block { Cost, Inequalities, Equalities, All }

    [Fact]
    public void Solve_FindsTheProjection_WhenEqualityRowIsTiny()
    {
        // minimize ½‖x‖² s.t. 1e-12·(x₁ + x₂) = 1e-12: x = (½, ½). The absolute tolerance alone accepted the
        // starting point x ≈ 1e-20 after 0 iterations.
        var solution = new QpSolver().Solve(eye(2, dtype: ScalarType.Float64), zeros(2, dtype: ScalarType.Float64), null, null,
            tensor(new[,] { { 1e-12, 1e-12 } }), tensor(new[] { 1e-12 }));

        Assert.Equal(SolverStatus.Solved, solution.Status[0]);
        VectorAssert.Close(Vector<double>.Build.Dense(2, 0.5), QpTensors.ToVector(solution.X[0]), Accuracy, "x");
    }

    [Theory]
    [InlineData(Block.Cost, 1e-12)]
    [InlineData(Block.Cost, 1e-6)]
    [InlineData(Block.Cost, 1e6)]
    [InlineData(Block.Cost, 1e12)]
    [InlineData(Block.Inequalities, 1e-12)]
    [InlineData(Block.Inequalities, 1e12)]
    [InlineData(Block.Equalities, 1e-12)]
    [InlineData(Block.Equalities, 1e12)]
    [InlineData(Block.All, 1e-12)]
    [InlineData(Block.All, 1e-6)]
    [InlineData(Block.All, 1e6)]
    [InlineData(Block.All, 1e12)]
    public void Solve_ReturnsTheSamePoint_WhenDataAreScaled(Block block, double factor)
    {
        var random = new ProblemGenerator(41);
        var planted = Enumerable.Range(0, 3).Select(_ => random.Planted(8, 6, 3, 2)).ToList();
        var scaled = planted.Select(p => Scale(p.Problem, block, factor)).ToList();

        var solution = QpTensors.Stack(scaled).Solve();

        for (int i = 0; i < planted.Count; i++)
        {
            var item = SolutionItem.Of(solution, i);
            output.WriteLine($"item {i}: {item.Status}, |x − x*|∞ = {(item.X - planted[i].Z).InfinityNorm():E2}");
            Assert.Equal(SolverStatus.Solved, item.Status);
            VectorAssert.Close(planted[i].Z, item.X, Accuracy, $"x of item {i}");
        }
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(1e-6)]
    public void Gradients_ScaleWithTheCost_WhenCostIsTiny(double factor)
    {
        // x*(c·Q, c·p) = x*(Q, p), so ∂L/∂p at the scaled data is the unscaled one divided by c.
        var planted = new ProblemGenerator(42).Planted(6, 5, 2, 1);
        var reference = QpTensors.Single(planted.Problem).Leaves(QpArg.P);
        var weights = linspace(-1, 1, 6, dtype: ScalarType.Float64);
        (reference.Apply() * weights).sum().backward();
        var scaled = QpTensors.Single(Scale(planted.Problem, Block.Cost, factor)).Leaves(QpArg.P);
        (scaled.Apply() * weights).sum().backward();

        var expected = QpTensors.ToVector(reference.P.grad!) / factor;
        VectorAssert.Close(expected, QpTensors.ToVector(scaled.P.grad!), 1e-6, "∂L/∂p");
    }

    private static QpInstance Scale(QpInstance qp, Block block, double factor) => block switch
    {
        Block.Cost => qp with { Q = qp.Q * factor, P = qp.P * factor },
        Block.Inequalities => qp with { G = qp.G * factor, H = qp.H * factor },
        Block.Equalities => qp with { A = qp.A * factor, B = qp.B * factor },
        _ => new QpInstance(qp.Q * factor, qp.P * factor, qp.G * factor, qp.H * factor, qp.A * factor, qp.B * factor),
    };
}
