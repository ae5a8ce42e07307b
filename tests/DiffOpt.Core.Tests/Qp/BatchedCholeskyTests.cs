using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The batched Cholesky factorisation behind every KKT solve, on both of its CPU paths (LAPACK per matrix and the
/// batch-interleaved SIMD code for orders 24-72): factors against libtorch's own Cholesky, failures flagged per item.
/// </summary>
public class BatchedCholeskyTests
{
    [Theory]
    [InlineData(1, 5)]    // LAPACK
    [InlineData(7, 24)]   // interleaved, a last group of 3
    [InlineData(9, 37)]   // interleaved, odd order, a last group of 1
    [InlineData(4, 64)]   // interleaved, one full group
    [InlineData(6, 72)]   // interleaved, largest order
    [InlineData(3, 90)]   // LAPACK
    public void Factor_MatchesLibtorchCholesky_InTheLowerTriangle(int batch, int n)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(batch, n, seed: n);
        var (factor, failed) = BatchedCholesky.Factor(matrices.clone());

        Assert.False(failed.any().item<bool>());
        var expected = linalg.cholesky(matrices);
        var error = (factor.tril() - expected).abs().max().item<double>();
        Assert.True(error < 1e-12 * n, $"max |L - L_torch| = {error:E2}");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(8)]
    public void Factor_FlagsIndefiniteAndNonFiniteItems_AndFactorsTheOthers(int n)
    {
        using var scope = NewDisposeScope();
        var matrices = SpdBatch(6, n, seed: 3);
        matrices[1][n / 2, n / 2] = tensor(-1.0, dtype: ScalarType.Float64);   // eᵀAe < 0: indefinite
        matrices[4][0, 0] = tensor(double.NaN, dtype: ScalarType.Float64);    // not finite
        var (factor, failed) = BatchedCholesky.Factor(matrices.clone());

        Assert.Equal(new[] { false, true, false, false, true, false }, failed.data<bool>().ToArray());
        foreach (var i in new[] { 0, 2, 3, 5 })
        {
            var error = (factor[i].tril() - linalg.cholesky(matrices[i])).abs().max().item<double>();
            Assert.True(error < 1e-12 * n, $"item {i}: max |L - L_torch| = {error:E2}");
        }
        Assert.True(factor.isfinite().all().item<bool>(), "failed items must get a finite (identity) factor");
    }

    private static Tensor SpdBatch(int batch, int n, int seed)
    {
        var generator = new Generator((ulong)seed);
        var l = randn([batch, n, n], dtype: ScalarType.Float64, generator: generator);
        return (l.bmm(l.transpose(1, 2)) + n * eye(n, dtype: ScalarType.Float64)).contiguous();
    }
}
