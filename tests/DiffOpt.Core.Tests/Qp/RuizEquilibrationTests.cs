using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Numerics;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// Ruiz equilibration on both of its paths (the per-item CPU kernel and the batched tensor form): the factors are
/// powers of two, so scaling is exact, and the scaled matrices are equilibrated within the factor of two that
/// allows (every column of the KKT matrix and every constraint row has infinity norm in [1/2, 2]); the two paths
/// compute the same factors.
/// </summary>
public class RuizEquilibrationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ScaledMatrices_HaveColumnAndRowNormsWithinAFactorOfTwoOfOne(bool useKernel)
    {
        using var scope = NewDisposeScope();
        var problem = BadlyScaled(batch: 5, n: 12, equalities: 3, inequalities: 20, sharedP: false, seed: 1);
        var (_, scaled) = RuizEquilibration.Apply(problem, iterations: 100, useKernel);

        // The passes stop once every factor moved by at most 0.1 %, so their norms are 1 within about 0.2 %; rounding
        // each factor to a power of two moves an entry d_i M_ij d_j by a factor of at most √2·√2.
        var columns = Batched.Max(Batched.ColumnInfNorms(scaled.P), Batched.ColumnInfNorms(scaled.A), Batched.ColumnInfNorms(scaled.G));
        var rows = cat(new[] { Batched.RowInfNorms(scaled.A), Batched.RowInfNorms(scaled.G) }, -1);
        var unscaled = Batched.Max(Batched.ColumnInfNorms(problem.Q), Batched.ColumnInfNorms(problem.A), Batched.ColumnInfNorms(problem.G));
        Assert.True(unscaled.log2().abs().max().item<double>() > 3, "the test data must need scaling");
        foreach (var (name, norms) in new[] { ("column", columns), ("row", rows) })
        {
            double worst = norms.log2().abs().max().item<double>();
            Assert.True(worst <= 1.01, $"{name} norms: max |log2 norm| = {worst:F3}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Factors_ArePowersOfTwo_SoTheScaledDataAreExact(bool useKernel)
    {
        using var scope = NewDisposeScope();
        var problem = BadlyScaled(batch: 4, n: 10, equalities: 2, inequalities: 15, sharedP: false, seed: 5);
        var (scaling, scaled) = RuizEquilibration.Apply(problem, iterations: 10, useKernel);

        foreach (var (name, factors) in new[] { ("d", scaling.D), ("eA", scaling.EA), ("eG", scaling.EG) })
            Assert.True(factors.eq(factors.log2().round().exp2()).all().item<bool>(), $"{name} holds a factor that is not a power of two");
        Assert.True((scaled.P / (scaling.D.unsqueeze(-1) * scaling.D.unsqueeze(-2))).eq(problem.Q).all().item<bool>(), "D⁻¹ P̃ D⁻¹ must give P back bit for bit");
        Assert.True((scaled.G / (scaling.EG.unsqueeze(-1) * scaling.D.unsqueeze(-2))).eq(problem.G).all().item<bool>(), "G back bit for bit");
        Assert.True(scaling.ScalePrimal(scaling.UnscalePrimal(problem.P)).eq(problem.P).all().item<bool>(), "x = D x̃ and back must be exact");
    }

    [Theory]
    [InlineData(false, ScalarType.Float64)]
    [InlineData(true, ScalarType.Float64)]
    [InlineData(false, ScalarType.Float32)]
    public void KernelScaledData_EqualTheTensorFormula_BitForBit(bool sharedP, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var source = BadlyScaled(batch: 4, n: 11, equalities: 3, inequalities: 14, sharedP, seed: 6);
        var q = sharedP ? source.Q.squeeze(0) : source.Q;  // a 2-D Q is shared by the batch
        var problem = QpProblem.Create(q.to_type(dtype), source.P.to_type(dtype), source.G.to_type(dtype),
            source.H.to_type(dtype), source.A.to_type(dtype), source.Bvec.to_type(dtype));
        var (scaling, scaled) = RuizEquilibration.Apply(problem, iterations: 10, useKernel: true);
        var (d, eA, eG) = (scaling.D, scaling.EA, scaling.EG);

        foreach (var (name, actual, expected) in new[]
                 {
                     ("P", scaled.P, d.unsqueeze(-1) * problem.Q * d.unsqueeze(-2)),
                     ("A", scaled.A, eA.unsqueeze(-1) * problem.A * d.unsqueeze(-2)),
                     ("G", scaled.G, eG.unsqueeze(-1) * problem.G * d.unsqueeze(-2)),
                 })
        {
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(actual.eq(expected).all().item<bool>(), $"{name}: the kernel's scaled matrix differs from diag·M·diag");
        }
    }

    [Fact]
    public void Kernel_MatchesTensorForm_PassForPass()
    {
        using var scope = NewDisposeScope();
        // Three passes on badly scaled data: no item converges, so both paths run every pass.
        var problem = BadlyScaled(batch: 6, n: 9, equalities: 2, inequalities: 14, sharedP: true, seed: 2);
        var (kernel, _) = RuizEquilibration.Apply(problem, iterations: 3, useKernel: true);
        var (tensor, _) = RuizEquilibration.Apply(problem, iterations: 3, useKernel: false);

        AssertClose(tensor.D, kernel.D, "d");
        AssertClose(tensor.EA, kernel.EA, "eA");
        AssertClose(tensor.EG, kernel.EG, "eG");
    }

    [Fact]
    public void Kernel_StopsEachItemOnItsOwn_AsIfSolvedAlone()
    {
        using var scope = NewDisposeScope();
        var problem = BadlyScaled(batch: 4, n: 8, equalities: 2, inequalities: 10, sharedP: false, seed: 3);
        var (batched, _) = RuizEquilibration.Apply(problem, iterations: 40, useKernel: true);
        for (int item = 0; item < 4; item++)
        {
            var alone = problem.Select(tensor(new long[] { item }));
            var (single, _) = RuizEquilibration.Apply(alone, iterations: 40, useKernel: false);
            AssertClose(single.D, batched.D[item].unsqueeze(0), $"d of item {item}");
            AssertClose(single.EG, batched.EG[item].unsqueeze(0), $"eG of item {item}");
        }
    }

    [Fact]
    public void TensorForm_StopsEachItemOnItsOwn_ExactlyAsAlone()
    {
        using var scope = NewDisposeScope();
        const int batch = 64;
        var problem = BadlyScaled(batch, n: 8, equalities: 2, inequalities: 10, sharedP: false, seed: 5);
        var (batched, _) = RuizEquilibration.Apply(problem, iterations: 40, useKernel: false);
        for (int item = 0; item < batch; item++)
        {
            var (single, _) = RuizEquilibration.Apply(problem.Select(tensor(new long[] { item })), iterations: 40, useKernel: false);
            foreach (var (name, alone, inBatch) in new[] { ("d", single.D, batched.D), ("eA", single.EA, batched.EA), ("eG", single.EG, batched.EG) })
                Assert.True(alone[0].eq(inBatch[item]).all().item<bool>(), $"{name} of item {item} differs from its scaling alone");
        }
    }

    [Fact]
    public void Kernel_OnFloat32Data_GivesFloat32FactorsOfTheFloat64Ones()
    {
        using var scope = NewDisposeScope();
        var problem = BadlyScaled(batch: 3, n: 7, equalities: 1, inequalities: 9, sharedP: false, seed: 4);
        var single = QpProblem.Create(problem.Q.to_type(ScalarType.Float32), problem.P.to_type(ScalarType.Float32),
            problem.G.to_type(ScalarType.Float32), problem.H.to_type(ScalarType.Float32),
            problem.A.to_type(ScalarType.Float32), problem.Bvec.to_type(ScalarType.Float32));
        var (expected, _) = RuizEquilibration.Apply(problem, iterations: 3, useKernel: false);
        var (actual, _) = RuizEquilibration.Apply(single, iterations: 3, useKernel: true);

        Assert.Equal(ScalarType.Float32, actual.D.dtype);
        double worst = ((actual.D.to_type(ScalarType.Float64) - expected.D) / expected.D).abs().max().item<double>();
        Assert.True(worst < 1e-5, $"max relative |d32 - d64| = {worst:E2}");
    }

    private static void AssertClose(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.shape, actual.shape);
        double worst = ((actual - expected) / expected).abs().max().item<double>();
        Assert.True(worst < 1e-12, $"{name}: max relative difference {worst:E2}");
    }

    /// <summary>A random convex QP batch whose rows and columns carry scales from e^-4 to e^4.</summary>
    private static QpProblem BadlyScaled(int batch, int n, int equalities, int inequalities, bool sharedP, int seed)
    {
        var generator = new Generator((ulong)seed);
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator);
        Tensor Scales(params long[] shape) => R(shape).Times(1.5).AtLeast(-4L).AtMost(4L).exp();
        var columns = Scales(batch, 1, n);
        var l = R(sharedP ? 1 : batch, n, n);
        var q = l.matmul(l.transpose(1, 2)) * columns.transpose(1, 2)[..(sharedP ? 1 : batch)] * columns[..(sharedP ? 1 : batch)];
        var a = R(batch, equalities, n) * Scales(batch, equalities, 1) * columns;
        var g = R(batch, inequalities, n) * Scales(batch, inequalities, 1) * columns;
        return QpProblem.Create(sharedP ? q.squeeze(0) : q, R(batch, n), g, R(batch, inequalities).abs().Plus(1L), a, R(batch, equalities));
    }
}
