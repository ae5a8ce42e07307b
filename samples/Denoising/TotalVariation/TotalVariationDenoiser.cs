using DiffOpt;
using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace Denoising.TotalVariation;

/// <summary>
/// Exact total-variation denoising, z* = argmin_z ½‖z − x‖² + λ‖Dz‖₁ with D the first-difference matrix
/// ((Dz)ᵢ = zᵢ₊₁ − zᵢ), solved in batches with <see cref="QpSolver"/>.
/// </summary>
/// <remarks>
/// The solver is given the dual problem rather than the primal: since λ‖Dz‖₁ = max over ‖u‖∞ ≤ λ of uᵀDz,
/// minimising over z first gives z = x − Dᵀu and the box-constrained QP
/// <code>
///   minimize ½ uᵀ(DDᵀ)u − (Dx)ᵀu   subject to   −λ ≤ u ≤ λ      (u ∈ ℝⁿ⁻¹)
/// </code>
/// whose solution u* yields the exact primal solution z* = x − Dᵀu* (strong duality holds: the primal is
/// unconstrained and strongly convex). Compared with the primal QP in (z, t) with −t ≤ Dz ≤ t, the dual has
/// half the variables (99 instead of 199 for n = 100: forming and factorising each dense KKT matrix is
/// 4-8 times cheaper), a positive definite Q (DDᵀ is the path-graph Laplacian with Dirichlet ends) instead of a singular
/// one, and a strictly feasible box for λ &gt; 0. The optimality certificate of z* is the dual point itself:
/// z* = x − Dᵀu*, ‖u*‖∞ ≤ λ, and u*ᵢ = λ·sign((Dz*)ᵢ) wherever (Dz*)ᵢ ≠ 0.
/// </remarks>
public sealed class TotalVariationDenoiser
{
    private readonly QpSolver _solver;
    private readonly int _chunkSize;

    /// <summary>Creates a denoiser.</summary>
    /// <param name="options">QP solver options (defaults when null: float64 tolerance 1e-8).</param>
    /// <param name="chunkSize">Signals solved per batched QP call (the solver's working memory grows with it: about 3 GB at 100, 10 GB at 1,000 for n = 100).</param>
    public TotalVariationDenoiser(QpSolverOptions? options = null, int chunkSize = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _solver = new QpSolver(options);
        _chunkSize = chunkSize;
    }

    /// <summary>Denoises each row of <paramref name="noisy"/> (B, n), n ≥ 2; returns z* (B, n) in float64.</summary>
    /// <exception cref="ArgumentException">noisy is not (B, n) with n ≥ 2, or λ is negative or not finite.</exception>
    /// <exception cref="InvalidOperationException">The QP solver reported no solution for some signal (its status is named).</exception>
    public Tensor Denoise(Tensor noisy, double lambda)
    {
        ArgumentNullException.ThrowIfNull(noisy);
        if (noisy.dim() != 2 || noisy.shape[1] < 2)
            throw new ArgumentException($"noisy must be (B, n) with n >= 2; got ({string.Join(", ", noisy.shape)}).", nameof(noisy));
        if (!(lambda >= 0) || double.IsInfinity(lambda))
            throw new ArgumentException($"lambda must be finite and non-negative; got {lambda}.", nameof(lambda));
        var x = noisy.to(ScalarType.Float64);
        if (lambda == 0) return x.clone();

        using var scope = NewDisposeScope();
        long n = x.shape[1];
        var D = Difference(n);
        var Q = D.matmul(D.T);
        var eye = torch.eye(n - 1, dtype: ScalarType.Float64);
        var G = cat([eye, -eye], 0);
        var h = ScalarSafeOperations.With(lambda, bound => full(2 * (n - 1), bound, dtype: ScalarType.Float64));
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += _chunkSize)
        {
            var chunk = x.narrow(0, start, Math.Min(_chunkSize, x.shape[0] - start));
            var solution = _solver.Solve(Q, -chunk.matmul(D.T), G, h, null, null);
            int failed = solution.Status.Count(s => !s.HasSolution());
            if (failed > 0)
                throw new InvalidOperationException($"The QP solver found no solution for {failed} of {solution.BatchSize} signals (first status: {solution.Status.First(s => !s.HasSolution())}).");
            parts.Add(chunk - solution.X.matmul(D));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The (n − 1) x n first-difference matrix, (Dz)ᵢ = zᵢ₊₁ − zᵢ.</summary>
    public static Tensor Difference(long n)
    {
        var eye = torch.eye(n, dtype: ScalarType.Float64);
        return eye.narrow(0, 1, n - 1) - eye.narrow(0, 0, n - 1);
    }
}
