using DiffOpt.Qp;
using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// A batch mixing solvable, primal infeasible and unbounded items that share G and A (n = 4, m = 6, k = 1):
/// every row of G has g·d ≤ 0 and A d = 0 for a fixed direction d, and rows 4 and 5 are g and −g. Solvable items
/// have Q ≻ 0 and h = G z0 + slack; the infeasible item has h₅ = −h₄ − 1 (g z ≤ h₄ and g z ≥ h₄ + 1); the
/// unbounded item has Q = I − ddᵀ/‖d‖² (so Qd = 0) and p = −d, a descent ray.
/// </summary>
internal sealed record MixedBatch(IReadOnlyList<QpInstance> Items, IReadOnlyList<SolverStatus> Expected)
{
    public const int N = 4, M = 6, K = 1;

    /// <summary>The batched arguments: Q, p, h, b batched; G and A shared.</summary>
    public QpTensors Args => QpTensors.Stack(Items, shared: [QpArg.G, QpArg.A]);

    /// <summary>Item i on its own, with the same (unbatched) data.</summary>
    public QpTensors Alone(int i) => QpTensors.Single(Items[i]);

    public IEnumerable<int> Solvable => Enumerable.Range(0, Items.Count).Where(i => Expected[i] == SolverStatus.Solved);

    /// <summary>Items in the order Solved, PrimalInfeasible, Solved, DualInfeasible, Solved.</summary>
    public static MixedBatch Create(int seed)
    {
        var random = new ProblemGenerator(seed);
        var d = random.NormalVector(N);
        var g = random.NormalMatrix(M, N);
        for (int i = 0; i < 4; i++)
            g.SetRow(i, g.Row(i) - Math.Max(0, g.Row(i) * d / (d * d)) * d);
        g.SetRow(4, g.Row(4) - (g.Row(4) * d / (d * d)) * d);
        g.SetRow(5, -g.Row(4));
        var a = random.NormalMatrix(K, N);
        a.SetRow(0, a.Row(0) - (a.Row(0) * d / (d * d)) * d);

        QpInstance Solvable()
        {
            var z0 = random.NormalVector(N);
            return new QpInstance(random.Quadratic(N, Curvature.PositiveDefinite), random.NormalVector(N), g,
                g * z0 + random.UniformVector(M, 0.1, 1.0), a, a * z0);
        }

        var infeasible = Solvable();
        var h = infeasible.H.Clone();
        h[5] = -h[4] - 1;
        infeasible = infeasible with { H = h };
        var unbounded = Solvable() with
        {
            Q = Matrix<double>.Build.DenseIdentity(N) - d.OuterProduct(d) / (d * d),
            P = -d,
        };
        return new MixedBatch([Solvable(), infeasible, Solvable(), unbounded, Solvable()],
            [SolverStatus.Solved, SolverStatus.PrimalInfeasible, SolverStatus.Solved, SolverStatus.DualInfeasible, SolverStatus.Solved]);
    }
}
