using DiffOpt.Cones;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The CPU derivative system (<see cref="DerivativeSystem"/>): its per-item J and matrix-free products against the dense
/// J = [P, AᵀD; A, D − I] formed in tensors, and <see cref="RefinedBatchSolver"/> on it against the dense solver,
/// including a singular item and the residual each solve reports.
/// </summary>
public class DerivativeSystemTests
{
    private static ConeProgramPoint Planted(string family, bool shared, int seed)
    {
        var (cones, n, withP) = family switch
        {
            "LP" => (new Cone[] { new ZeroCone(2), new NonnegativeCone(6) }, 5, false),
            "SOCP" => ([new SecondOrderCone(3), new SecondOrderCone(4), new NonnegativeCone(2)], 10, true),
            "SDP" => ([new PsdCone(3), new PsdCone(2), new ZeroCone(1)], 10, true),
            "Exp" => ([new ExponentialCone(3), new NonnegativeCone(1)], 10, true),
            _ => ([new ZeroCone(1), new NonnegativeCone(3), new SecondOrderCone(3), new PsdCone(2), new ExponentialCone(2)], 16, true),
        };
        return PlantedConePrograms.Plant(cones, n, batch: 3, seed, withP, sharedA: shared, sharedP: shared);
    }

    /// <summary>The dense J per item, (B, N, N), from the definition.</summary>
    private static Tensor DenseJacobian(ConeProgramPoint point, IConeOperator d)
    {
        long batch = point.Batch, m = point.Rows, n = point.A.shape[^1];
        var a = point.A.expand(batch, m, n);
        var p = point.P is null ? zeros(batch, n, n, dtype: ScalarType.Float64) : point.P.expand(batch, n, n);
        var dense = d.Dense();
        return cat([cat([p, a.transpose(1, 2).matmul(dense)], 2), cat([a, dense - eye(m, dtype: ScalarType.Float64)], 2)], 1);
    }

    private static (DerivativeSystem System, Tensor Dense) Build(ConeProgramPoint point)
    {
        var d = new CompositeCone(point.Cones).ProjectDualDerivative(point.Y - point.S);
        int n = (int)point.A.shape[^1], m = (int)point.Rows;
        return (new DerivativeSystem(point.A, point.P, d, (int)point.Batch, n, m), DenseJacobian(point, d));
    }

    [Theory]
    [InlineData("LP", false)]
    [InlineData("SOCP", true)]
    [InlineData("SDP", false)]
    [InlineData("Exp", false)]
    [InlineData("Mixed", true)]
    public void FillAndMultiply_MatchTheDenseJacobian(string family, bool shared)
    {
        var point = Planted(family, shared, seed: 71);
        var (system, dense) = Build(point);
        int order = system.Order;
        var random = new ProblemGenerator(72);
        for (int item = 0; item < point.Batch; item++)
        {
            var expected = dense[item].data<double>().ToArray();
            var j = new double[order * order];
            system.Fill(item, j);
            Assert.Equal(expected, j, (u, v) => Math.Abs(u - v) < 1e-13);
            var z = Enumerable.Range(0, order).Select(_ => random.Normal()).ToArray();
            foreach (bool transpose in new[] { false, true })
            {
                var matrix = transpose ? dense[item].t() : dense[item];
                var reference = matrix.matmul(tensor(z, dtype: ScalarType.Float64)).data<double>().ToArray();
                var result = new double[order];
                system.Multiply(item, z, result, transpose, new double[order]);
                Assert.Equal(reference, result, (u, v) => Math.Abs(u - v) < 1e-12 * (1 + Math.Abs(v)));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solver_OnTheSystem_AgreesWithTheDenseSolver_AndReportsItsResidual(bool transpose)
    {
        var point = Planted("LP", shared: false, seed: 73);
        // A zero column of A with P = 0 makes item 1's J singular (x₀ appears nowhere): the least-squares fallback.
        point.A[1].select(1, 0).zero_();
        var (system, dense) = Build(point);
        var onSystem = new RefinedBatchSolver(system);
        var onDense = new RefinedBatchSolver(dense);
        Assert.Equal(new[] { false, true, false }, onSystem.Singular.data<bool>().ToArray());
        Assert.Equal(onDense.Singular.data<bool>().ToArray(), onSystem.Singular.data<bool>().ToArray());

        var random = new ProblemGenerator(74);
        var rhs = tensor(Enumerable.Range(0, (int)point.Batch * system.Order).Select(_ => random.Normal()).ToArray(),
            [point.Batch, system.Order], ScalarType.Float64);
        var (solution, residual) = onSystem.Solve(rhs, transpose);
        var (reference, _) = onDense.Solve(rhs, transpose);
        Assert.True((solution - reference).abs().max().item<double>() < 1e-9, "system and dense solutions differ");
        var matrices = transpose ? dense.transpose(1, 2) : dense;
        var recomputed = (matrices.matmul(solution.unsqueeze(2)).squeeze(2) - rhs).abs().amax(1) / rhs.abs().amax(1);
        for (int i = 0; i < point.Batch; i++)
            Assert.Equal(recomputed[i].item<double>(), residual[i].item<double>(), 1e-12);
        Assert.True(residual[0].item<double>() < 1e-12 && residual[2].item<double>() < 1e-12, "regular items solve to rounding");
        Assert.True(residual[1].item<double>() > 1e-6, "a random right-hand side is not in a singular J's range: the residual says so");
    }
}
