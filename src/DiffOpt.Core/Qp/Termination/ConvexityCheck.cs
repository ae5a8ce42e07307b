using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;

namespace DiffOpt.Qp;

/// <summary>
/// Per-item test that a batch is convex: its quadratic term must be positive semidefinite. The interior-point method
/// finds points that satisfy the KKT conditions, and with an indefinite P those include maxima and saddle points
/// (for P = −I, the origin), so convexity cannot be read off the residuals and is tested before the iteration.
/// The scaled P̃ = σDPD is congruent to P (same inertia) and better conditioned. It is factorised once as
/// P̃ + τ‖P̃‖_F·I (a shared P̃ once for the whole batch): a failed Cholesky factorisation means an eigenvalue below
/// −τ‖P̃‖_F (‖P̃‖_F bounds the spectral radius). τ is the caller's tolerance
/// (<see cref="QpSolverOptions.ConvexityTolerance"/>), but never below 100·n·ε, which rounding alone can explain
/// (Cholesky's backward error is about n·ε·‖P̃‖; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
/// Theorem 10.3). The shift is added on the way into the factorisation, so the check costs one factorisation of
/// the quadratic terms, no other pass over them and no memory of their size (the factors are not kept).
/// </summary>
internal static class ConvexityCheck
{
    private const double ShiftPerDimension = 100;

    /// <summary>(B,) bool: true for the items whose quadratic term has an eigenvalue below −τ‖P̃‖_F (see the class remarks).</summary>
    public static Tensor NotPositiveSemidefinite(ScaledQp qp, NumericLimits limits, double tolerance)
    {
        using var phase = PhaseTimer.Measure("convexity check", qp.BatchSize);
        var p = qp.P;
        long n = qp.N, items = p.size(0);
        if (n == 0) return zeros(qp.BatchSize, ScalarType.Bool, p.device);
        double tau = Math.Max(tolerance, ShiftPerDimension * n * limits.MachineEpsilon);
        var norm = linalg.matrix_norm(p, "fro");
        // P̃ = 0 (a linear program) is positive semidefinite; any positive shift shows it.
        var shift = where(norm.GreaterThan(0L), norm.Times(tau), ones_like(norm)).unsqueeze(-1).expand(items, n);
        var failed = BatchedCholesky.FailsShifted(p.contiguous(), shift, items);
        return failed.to(p.device).expand(qp.BatchSize);
    }
}
