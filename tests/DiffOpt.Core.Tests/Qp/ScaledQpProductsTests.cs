using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Numerics;

namespace DiffOpt.Tests.Qp;

/// <summary>
/// The matrix-vector products of the scaled problem (the CPU kernel for per-item matrices, batched GEMMs for shared
/// ones) against libtorch's batched products.
/// </summary>
public class ScaledQpProductsTests
{
    [Theory]
    [InlineData(5, 13, 4, 9, false, ScalarType.Float64)]
    [InlineData(3, 40, 10, 50, false, ScalarType.Float64)]  // SIMD loops with tails
    [InlineData(1, 7, 0, 3, false, ScalarType.Float64)]     // one item, no equalities
    [InlineData(4, 6, 2, 0, false, ScalarType.Float64)]     // no inequalities
    [InlineData(6, 9, 3, 5, true, ScalarType.Float64)]      // shared matrices
    [InlineData(4, 21, 5, 17, false, ScalarType.Float32)]
    public void Products_MatchLibtorch(int batch, int n, int p, int m, bool shared, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(n * 7 + m));
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator).to_type(dtype);
        long matrices = shared ? 1 : batch;
        var l = R(matrices, n, n);
        var pMatrix = l.Plus(l.transpose(1, 2));
        var (a, g) = (R(matrices, p, n), R(matrices, m, n));
        var qp = new ScaledQp(pMatrix, R(batch, n), a, R(batch, p), g, R(batch, m));
        var (x, y, z) = (R(batch, n), R(batch, p), R(batch, m));

        Tensor Times(Tensor matrix, Tensor v) => Batched.ExpandBatch(matrix, batch).bmm(v.unsqueeze(-1)).squeeze(-1);
        Tensor TransposedTimes(Tensor matrix, Tensor v) => Times(matrix.transpose(1, 2), v);
        double tolerance = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
        AssertClose(Times(pMatrix, x), qp.Px(x), tolerance, "Px");
        AssertClose(Times(a, x), qp.Ax(x), tolerance, "Ax");
        AssertClose(Times(g, x), qp.Gx(x), tolerance, "Gx");
        AssertClose(TransposedTimes(a, y), qp.ATy(y), tolerance, "Aᵀy");
        AssertClose(TransposedTimes(g, z), qp.GTz(z), tolerance, "Gᵀz");

        var (px, ax, gx, force) = qp.ResidualProducts(x, y, z);
        AssertClose(Times(pMatrix, x), px, tolerance, "residuals: Px");
        AssertClose(Times(a, x), ax, tolerance, "residuals: Ax");
        AssertClose(Times(g, x), gx, tolerance, "residuals: Gx");
        AssertClose(TransposedTimes(a, y).Plus(TransposedTimes(g, z)), force, tolerance, "residuals: Aᵀy + Gᵀz");
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        if (expected.numel() == 0) return;
        double error = ((actual - expected).abs().max() / expected.abs().max().Plus(1L)).to_type(ScalarType.Float64).item<double>();
        Assert.True(error <= tolerance * expected.shape[^1], $"{what}: relative error {error:E2}");
    }
}
