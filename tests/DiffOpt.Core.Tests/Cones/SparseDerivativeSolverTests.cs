using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// The sparse solves with the derivative Jacobian J = [P, AᵀD; A, D − I] (<see cref="SparseDerivativeSolver"/>, through
/// its symmetric quasi-definite form) against the dense LU of J itself (<see cref="RefinedBatchSolver"/>) at planted
/// solutions of every cone family, plain and transposed, with and without P.
/// </summary>
public class SparseDerivativeSolverTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Families => new()
    {
        { "soc", true }, { "soc", false }, { "psd", true }, { "psd", false }, { "exp", true }, { "exp", false },
        { "mixed", true }, { "mixed", false },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void SparseSolves_MatchTheDenseLu(string family, bool withP)
    {
        var cones = ConeProgramSolverTests.Family(family);
        int m = cones.Sum(c => c.Rows), n = m + 1;
        var point = PlantedConePrograms.Plant(cones, variables: n, batch: 3, seed: 51, withP: withP, diagonal: 2);
        var d = new CompositeCone(cones).ProjectDualDerivative(point.Y - point.S);
        var a = point.A.to(ScalarType.Float64);
        var p = withP ? point.P!.to(ScalarType.Float64) : zeros(3, n, n, dtype: ScalarType.Float64);
        var dense = d.Dense();
        var identity = eye(m, dtype: ScalarType.Float64);
        Tensor Jacobian(Tensor pj, Tensor aj, Tensor dj) => cat([cat([pj, aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - identity], 2)], 1);
        var reference = new RefinedBatchSolver(Jacobian(p, a, dense));
        var sparse = SparseDerivativeSolver.TryCreate(cones, a, withP ? p : null, d,
            (items, blocks) => Jacobian(p.index_select(0, tensor(items)), a.index_select(0, tensor(items)), blocks), force: true);
        Assert.NotNull(sparse);
        Assert.Equal(reference.Singular.data<bool>().ToArray(), sparse.Singular.data<bool>().ToArray());
        var r = randn(3, n + m, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(7));
        foreach (bool transpose in new[] { false, true })
        {
            var (expected, _) = reference.Solve(r, transpose);
            var (actual, residual) = sparse.Solve(r, transpose);
            double error = ((actual - expected).abs().max() / expected.abs().max().AtLeast(1L)).item<double>();
            output.WriteLine($"{family} P={withP} transpose={transpose}: difference {error:E2}, residual {residual.max().item<double>():E2}");
            Assert.True(error < 1e-9, $"difference {error:E2}");
            // A singular item (without P, A's null space makes J singular) is a least-squares solution: no small residual.
            var regular = reference.Singular.logical_not();
            Assert.True((residual * regular).max().item<double>() < 1e-10);
        }
    }

    [Fact]
    public void ASingularItem_GoesToTheDenseLeastSquares_AndIsFlagged()
    {
        // An LP whose two equality rows are equal: J is singular for every item (A's rows are dependent under D = I).
        var cones = new Cone[] { new ZeroCone(2), new NonnegativeCone(2) };
        var a = tensor(new double[] { 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0 }, 4, 3).unsqueeze(0).expand(2, 4, 3).contiguous();
        var v = tensor(new double[] { 1, 2, -1, 3, 1, 2, 1, -1 }, 2, 4);
        var d = new CompositeCone(cones).ProjectDualDerivative(v);
        var identity = eye(4, dtype: ScalarType.Float64);
        var p = zeros(2, 3, 3, dtype: ScalarType.Float64);
        Tensor Jacobian(Tensor pj, Tensor aj, Tensor dj) => cat([cat([pj, aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - identity], 2)], 1);
        var sparse = SparseDerivativeSolver.TryCreate(cones, a, null, d,
            (items, blocks) => Jacobian(p.index_select(0, tensor(items)), a.index_select(0, tensor(items)), blocks), force: true);
        Assert.NotNull(sparse);
        var reference = new RefinedBatchSolver(Jacobian(p, a, d.Dense()));
        Assert.All(reference.Singular.data<bool>().ToArray(), Assert.True);
        Assert.Equal(reference.Singular.data<bool>().ToArray(), sparse.Singular.data<bool>().ToArray());
        var r = ones(2, 7, dtype: ScalarType.Float64);
        var (actual, _) = sparse.Solve(r, transpose: true);
        var (expected, _) = reference.Solve(r, transpose: true);
        Assert.False(actual.isnan().any().item<bool>());
        Assert.True((actual - expected).abs().max().item<double>() < 1e-9);
    }

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    public void DuplicateEqualityRows_OfALargerProgram_AreFlaggedSingular(int seed)
    {
        // Two equal zero-cone rows make J singular along (0, e₀ − e₁), a direction Hager's estimate started from the
        // uniform vector cannot see: the estimate's vectors stay symmetric in the two rows. (A sparse-route case of
        // n = 60, m = 235 went undetected this way and got a valid but not the minimum-norm gradient.)
        var cones = new Cone[] { new ZeroCone(4), new NonnegativeCone(90) };
        int m = 94, n = 40;
        var point = PlantedConePrograms.Plant(cones, variables: n, batch: 2, seed: seed, withP: true);
        var a = point.A.to(ScalarType.Float64).clone();
        a[.., 1] = a[.., 0];
        var d = new CompositeCone(cones).ProjectDualDerivative(point.Y - point.S);
        var p = point.P!.to(ScalarType.Float64);
        var identity = eye(m, dtype: ScalarType.Float64);
        Tensor Jacobian(Tensor pj, Tensor aj, Tensor dj) => cat([cat([pj, aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - identity], 2)], 1);
        var reference = new RefinedBatchSolver(Jacobian(p, a, d.Dense()));
        var sparse = SparseDerivativeSolver.TryCreate(cones, a, p, d,
            (items, blocks) => Jacobian(p.index_select(0, tensor(items)), a.index_select(0, tensor(items)), blocks), force: true);
        Assert.NotNull(sparse);
        Assert.All(reference.Singular.data<bool>().ToArray(), Assert.True);
        Assert.Equal(reference.Singular.data<bool>().ToArray(), sparse.Singular.data<bool>().ToArray());
        var r = randn(2, n + m, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator((ulong)seed));
        foreach (bool transpose in new[] { false, true })
        {
            var (expected, _) = reference.Solve(r, transpose);
            var (actual, _) = sparse.Solve(r, transpose);
            double error = ((actual - expected).abs().max() / expected.abs().max()).item<double>();
            output.WriteLine($"seed {seed} transpose={transpose}: difference from the dense least squares {error:E2}");
            Assert.True(error < 1e-9, $"difference {error:E2}");
        }
    }
}
