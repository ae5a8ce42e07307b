using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

public class QpSolverSmokeTests
{
    [Fact]
    public void Solve_ReturnsProjection_ForBoxConstrainedIdentityQp()
    {
        // minimize ½‖z − c‖²  s.t. −1 ≤ z ≤ 1  has the solution clamp(c, −1, 1).
        var c = tensor(new[] { 2.0, -0.5, -3.0, 0.25 });
        var G = cat(new[] { eye(4, dtype: ScalarType.Float64), -eye(4, dtype: ScalarType.Float64) });
        var h = ones(8, dtype: ScalarType.Float64);
        var solution = new QpSolver().Solve(eye(4, dtype: ScalarType.Float64), -c, G, h, null, null);
        Assert.Equal(QpStatus.Solved, solution.Status[0]);
        var expected = c.clamp(-1, 1);
        Assert.True((solution.X[0] - expected).abs().max().item<double>() < 1e-7);
    }
}
