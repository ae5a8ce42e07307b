using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.LinearAlgebra;

/// <summary>
/// <see cref="BandedCholesky"/>: the bandwidth it detects, solves of A + diag(shift) against libtorch's dense solve
/// (per-item and shared A, float64 and float32), and the failure of items that are not positive definite.
/// </summary>
public class BandedCholeskyTests
{
    [Theory]
    [InlineData(6, 17, 1, false, ScalarType.Float64)]
    [InlineData(4, 30, 3, true, ScalarType.Float64)]
    [InlineData(5, 9, 8, false, ScalarType.Float64)]   // full band: a dense matrix
    [InlineData(3, 25, 2, false, ScalarType.Float32)]
    public void Solve_EqualsTheDenseSolve(int batch, int n, int bandwidth, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(n * 10 + bandwidth));
        var d = randn([shared ? 1 : batch, n, n], dtype: ScalarType.Float64, generator: generator).triu(0).tril(bandwidth);
        var a = d.matmul(d.transpose(1, 2));
        var shift = rand([batch, n], dtype: ScalarType.Float64, generator: generator).Plus(0.1);
        var rhs = randn([batch, n], dtype: ScalarType.Float64, generator: generator);
        Assert.Equal(bandwidth, BandedCholesky.Bandwidth(a));

        var band = empty(batch, n, bandwidth + 1, dtype: dtype);
        Assert.False(BandedCholesky.Factor(a.to_type(dtype), shift.to_type(dtype), bandwidth, band).any().item<bool>());
        var x = BandedCholesky.Solve(band, rhs.to_type(dtype)).to_type(ScalarType.Float64);

        var full = a.expand(batch, n, n).Plus(diag_embed(shift));
        var expected = linalg.solve(full, rhs.unsqueeze(-1)).squeeze(-1);
        double tolerance = dtype == ScalarType.Float32 ? 1e-3 : 1e-10;
        double error = ((x - expected).abs().amax(-1) / expected.abs().amax(-1).Plus(1L)).max().item<double>();
        Assert.True(error <= tolerance, $"banded and dense solutions differ by {error:E2} relative");
    }

    [Fact]
    public void Factor_ReportsItemsThatAreNotPositiveDefinite_AndGivesThemTheIdentity()
    {
        using var scope = NewDisposeScope();
        const int n = 8;
        var offDiagonal = ones(n - 1, dtype: ScalarType.Float64);
        var tridiagonal = eye(n, dtype: ScalarType.Float64).Times(2L) - diag(offDiagonal, 1) - diag(offDiagonal, -1);
        var shift = stack([full(n, ScalarSafeOperations.Half, dtype: ScalarType.Float64),
            ScalarSafeOperations.With(-5.0, value => full(n, value, dtype: ScalarType.Float64))]);
        var band = empty(2, n, 2, dtype: ScalarType.Float64);

        var failed = BandedCholesky.Factor(tridiagonal.unsqueeze(0), shift, 1, band);

        Assert.Equal(new[] { false, true }, failed.data<bool>().ToArray());
        var rhs = randn(2, n, dtype: ScalarType.Float64);
        var x = BandedCholesky.Solve(band, rhs);
        Assert.True(x[1].allclose(rhs[1]), "a failed item must solve with the identity");
    }
}
