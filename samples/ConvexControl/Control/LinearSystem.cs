using DiffOpt.Native;
using static TorchSharp.torch;

namespace ConvexControl.Control;

/// <summary>
/// The paper's system: x⁺ = A x + B u + w with n = 2 states, m = 3 controls, A = I + 0.01·N(0, 1),
/// B = (0.01/3)·N(0, 1), stage cost xᵀQx + uᵀRu with Q = I, R = I, and noise w ~ N(0, 0.2² I). float64.
/// </summary>
public sealed record LinearSystem(Tensor A, Tensor B, Tensor Q, Tensor R, double NoiseScale)
{
    /// <summary>States.</summary>
    public int N => (int)A.shape[0];

    /// <summary>Controls.</summary>
    public int M => (int)B.shape[1];

    /// <summary>Draws the system from <paramref name="seed"/>.</summary>
    public static LinearSystem Generate(int seed, int n = 2, int m = 3)
    {
        using var generator = new Generator((ulong)seed);
        var a = eye(n, dtype: ScalarType.Float64).Plus(randn([n, n], dtype: ScalarType.Float64, generator: generator).Times(1e-2));
        var b = randn([n, m], dtype: ScalarType.Float64, generator: generator).Times(1e-2 / 3);
        return new LinearSystem(a, b, eye(n, dtype: ScalarType.Float64), eye(m, dtype: ScalarType.Float64), 0.2);
    }

    /// <summary>
    /// The stabilising solution of the discrete algebraic Riccati equation P = Q + AᵀPA − AᵀPB(R + BᵀPB)⁻¹BᵀPA,
    /// by fixed-point iteration from P = Q until the update is below 1e-12 (relative).
    /// </summary>
    public Tensor RiccatiSolution(int maxIterations = 200_000)
    {
        var p = Q.clone();
        for (int i = 0; i < maxIterations; i++)
        {
            using var scope = NewDisposeScope();
            var gain = linalg.solve(R.Plus(B.t().matmul(p).matmul(B)), B.t().matmul(p).matmul(A));
            var next = Q.Plus(A.t().matmul(p).matmul(A)) - A.t().matmul(p).matmul(B).matmul(gain);
            next = next.Plus(next.t()).Times(0.5);
            bool done = (next - p).abs().max().item<double>() <= 1e-12 * next.abs().max().item<double>();
            p = next.MoveToOuterDisposeScope();
            if (done) return p;
        }
        throw new InvalidOperationException("The Riccati iteration did not converge (is (A, B) stabilisable?).");
    }

    /// <summary>The symmetric square root of a symmetric positive definite matrix (eigendecomposition).</summary>
    public static Tensor SquareRoot(Tensor symmetric)
    {
        var (values, vectors) = linalg.eigh(symmetric);
        return vectors.matmul(diag(values.AtLeast(0L).sqrt())).matmul(vectors.t());
    }

    /// <summary>The stage cost xᵀQx + uᵀRu per row of x (B, n) and u (B, m).</summary>
    public Tensor StageCost(Tensor x, Tensor u) => (x.matmul(Q) * x).sum(1).Plus((u.matmul(R) * u).sum(1));
}
