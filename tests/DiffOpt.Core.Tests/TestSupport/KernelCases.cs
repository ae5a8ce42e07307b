using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Random problems for the tests that hold a per-item CPU kernel equal to its batched tensor form: P = LLᵀ (plus
/// <c>curvature</c>·I), Gaussian G, A, p, b and |h|; per item, or shared by the batch (then q, h, b stay per item).
/// </summary>
internal static class KernelCases
{
    /// <summary>A batch of (n, m inequalities, k equalities) problems in <paramref name="dtype"/>, and the generator that drew it.</summary>
    public static (QpProblem Problem, Func<long[], Tensor> Random) Problem(int batch, int n, int m, int k, bool shared, ScalarType dtype,
        double curvature = 0)
    {
        var generator = new Generator((ulong)(n + 31 * m + 7 * k + (shared ? 1000 : 0)));
        Tensor R(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator).to_type(dtype);
        long matrices = shared ? 1 : batch;
        var l = R(matrices, n, n);
        var q = l.matmul(l.transpose(1, 2)).Plus(eye(n, dtype: dtype).Times(curvature));
        var problem = QpProblem.Create(shared ? q.squeeze(0) : q, R(batch, n), shared ? R(m, n) : R(batch, m, n), R(batch, m).abs().Plus(1L),
            shared ? R(k, n) : R(batch, k, n), R(batch, k));
        return (problem, shape => R(shape));
    }

    /// <summary>The largest |actual − expected| / (1 + |expected|) over the entries (0 for empty tensors).</summary>
    public static double RelativeError(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        if (expected.numel() == 0) return 0;
        return ((actual - expected).abs() / expected.abs().Plus(1L)).max().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>
    /// The (batch, n, m inequalities, k equalities, shared, dtype) shapes the kernel tests run: a plain batch, SIMD loops
    /// with tails (n = 40, m = 50), shared P, G, A (one H factor and V for the batch), no inequalities, no equalities,
    /// float32.
    /// </summary>
    public static TheoryData<int, int, int, int, bool, ScalarType> Shapes => new()
    {
        { 5, 13, 9, 3, false, ScalarType.Float64 },
        { 4, 40, 50, 10, false, ScalarType.Float64 },
        { 6, 8, 7, 2, true, ScalarType.Float64 },
        { 3, 6, 0, 2, false, ScalarType.Float64 },
        { 3, 6, 5, 0, false, ScalarType.Float64 },
        { 4, 21, 17, 4, false, ScalarType.Float32 },
    };

    /// <summary>Asserts that <paramref name="actual"/> holds the bits of <paramref name="expected"/> (same shape and dtype; −0 ≠ +0, NaN = NaN).</summary>
    public static void AssertBitwise(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        if (expected.numel() == 0) return;
        var (e, a) = (expected.to_type(ScalarType.Float64).data<double>().ToArray(), actual.to_type(ScalarType.Float64).data<double>().ToArray());
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(e[i]) == BitConverter.DoubleToInt64Bits(a[i]), $"{name}[{i}]: expected {e[i]:R}, got {a[i]:R}");
    }
}
