using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Per-item test that a batch is convex: its quadratic term must be positive semidefinite. The interior-point method
/// finds points that satisfy the KKT conditions, and with an indefinite P those include maxima and saddle points
/// (for P = −I, the origin), so convexity cannot be read off the residuals and is tested before the iteration.
/// The scaled P̃ = σDPD is congruent to P (same inertia) and better conditioned. A matrix that is diagonally
/// dominant with a nonnegative diagonal is positive semidefinite (Gershgorin) and needs no more; the others are
/// factorised once as P̃ + τ‖P̃‖∞I: a failed Cholesky factorisation means an eigenvalue below −τ‖P̃‖∞ (the largest
/// absolute row sum, an upper bound of the spectral radius). τ is
/// the caller's tolerance (<see cref="QpSolverOptions.ConvexityTolerance"/>), but never below 100·n·ε, which
/// rounding alone can explain (Cholesky's backward error is about n·ε·‖P̃‖; Higham, "Accuracy and Stability of
/// Numerical Algorithms", 2nd ed., Theorem 10.3).
/// </summary>
internal static class ConvexityCheck
{
    private const double ShiftPerDimension = 100;

    /// <summary>(B,) bool: true for the items whose quadratic term has an eigenvalue below −τ‖P̃‖∞ (see the class remarks).</summary>
    public static Tensor NotPositiveSemidefinite(ScaledQp qp, NumericLimits limits, double tolerance)
    {
        var p = qp.P;
        long n = qp.N;
        var notPsd = zeros(p.shape[0], ScalarType.Bool, p.device);
        if (n == 0) return notPsd.expand(qp.BatchSize);
        var diagonal = p.diagonal(0, -2, -1);
        var rowSums = p.abs().sum(-1);
        var uncertain = ((2 * diagonal - rowSums) < 0).any(-1).nonzero().squeeze(-1);
        if (uncertain.shape[0] > 0)
        {
            var candidates = p.index_select(0, uncertain);
            var norm = rowSums.index_select(0, uncertain).amax(-1);
            double tau = Math.Max(tolerance, ShiftPerDimension * n * limits.MachineEpsilon);
            var shifted = candidates + diag_embed((tau * norm).unsqueeze(-1).expand(-1, n));
            var (_, failed) = BatchedCholesky.Factor(shifted.contiguous(), overwrite: true);
            notPsd = notPsd.index_copy(0, uncertain, failed.to(p.device));
        }
        return notPsd.expand(qp.BatchSize);
    }
}
