using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.Suites;

/// <summary>
/// A seeded batch of strictly convex QPs, feasible by construction (the peer harness's recipe):
/// Q = LLᵀ/n + 0.1 I, h = G z0 + slack with slack ~ U(0.1, 1), b = A z0; float64 on the CPU.
/// </summary>
public sealed record RandomQpBatch(Tensor Q, Tensor P, Tensor G, Tensor H, Tensor A, Tensor B, Tensor W)
{
    /// <summary>Makes a batch of <paramref name="batch"/> problems with n variables, m inequalities and p equalities.</summary>
    public static RandomQpBatch Create(int batch, int n, int m, int p, long seed = 0)
    {
        var generator = new Generator((ulong)seed);
        var dtype = ScalarType.Float64;
        var l = randn([batch, n, n], dtype: dtype, generator: generator) / Math.Sqrt(n);
        var q = l.bmm(l.transpose(1, 2)) + 0.1 * eye(n, dtype: dtype);
        var z0 = randn([batch, n, 1], dtype: dtype, generator: generator);
        var g = randn([batch, m, n], dtype: dtype, generator: generator);
        var h = (g.bmm(z0) + 0.1 + 0.9 * rand([batch, m, 1], dtype: dtype, generator: generator)).squeeze(-1);
        var a = randn([batch, p, n], dtype: dtype, generator: generator);
        var b = a.bmm(z0).squeeze(-1);
        var c = randn([batch, n], dtype: dtype, generator: generator);
        var w = randn([batch, n], dtype: dtype, generator: generator);
        return new RandomQpBatch(q, c, g, h, a, b, w);
    }
}
