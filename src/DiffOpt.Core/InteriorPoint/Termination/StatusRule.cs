using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The one rule that turns residual measures and certificates into a <see cref="SolverStatus"/>, for the QP and cone
/// solvers and for their tensor and per-item kernel paths:
/// <list type="bullet">
/// <item><see cref="SolverStatus.Solved"/> iff the residual measures of the returned point, recomputed on the original
/// data, are finite and meet the tolerances (<see cref="ResidualMeasures.Meets(SolverTolerances, double)"/>);</item>
/// <item>an item that stops without that (iteration limit, numerical failure, a stall) is
/// <see cref="SolverStatus.Inaccurate"/> where the measures meet the tolerances × the relaxed factor, else
/// <see cref="SolverStatus.MaxIterations"/> (iteration limit) or stays <see cref="SolverStatus.NumericalError"/>;</item>
/// <item>an infeasibility certificate counts when its violation of the homogeneous conditions is at most ε times its
/// separation and the separation is above a floor (<see cref="Certifies(double, double, double, double)"/>).</item>
/// </list>
/// The tensor forms take status codes (int64) with one solver-specific code for items still iterating.
/// </summary>
internal static class StatusRule
{
    /// <summary>
    /// The status of an item that stops: <paramref name="status"/> null (still running) or
    /// <see cref="SolverStatus.NumericalError"/> become Solved (running items only) where the point meets the
    /// tolerances, Inaccurate where it meets them relaxed, else MaxIterations (running) or stay NumericalError; any
    /// other status is kept.
    /// </summary>
    public static SolverStatus Finish(SolverStatus? status, bool meets, bool meetsRelaxed) => status switch
    {
        null when meets => SolverStatus.Solved,
        null or SolverStatus.NumericalError when meetsRelaxed => SolverStatus.Inaccurate,
        null => SolverStatus.MaxIterations,
        _ => status.Value,
    };

    /// <summary>
    /// <see cref="Finish(SolverStatus?, bool, bool)"/> per item of <paramref name="mask"/> on the codes
    /// <paramref name="status"/> (B,), where <paramref name="running"/> marks items still iterating; returns the new codes.
    /// </summary>
    public static Tensor Finish(Tensor status, long running, Tensor mask, Tensor meets, Tensor meetsRelaxed)
    {
        var isRunning = mask & status.EqualTo(running);
        var stopped = isRunning | (mask & status.EqualTo((long)SolverStatus.NumericalError));
        var solved = isRunning & meets;
        var inaccurate = stopped & ~solved & meetsRelaxed;
        status = where(solved, status.FullLike((long)SolverStatus.Solved), status);
        status = where(inaccurate, status.FullLike((long)SolverStatus.Inaccurate), status);
        return where(isRunning & ~solved & ~inaccurate, status.FullLike((long)SolverStatus.MaxIterations), status);
    }

    /// <summary>
    /// A check during the iteration (B,): Solved where the point meets the tolerances, Inaccurate where it does not but
    /// meets them relaxed and the solver gives up on the item (<paramref name="giveUp"/>; null: always); the other
    /// items run on.
    /// </summary>
    public static (Tensor Solved, Tensor Inaccurate) Check(Tensor meets, Tensor meetsRelaxed, Tensor? giveUp)
    {
        var inaccurate = ~meets & meetsRelaxed;
        return (meets, giveUp is null ? inaccurate : inaccurate & giveUp);
    }

    /// <summary>
    /// Whether a candidate certificate holds: <paramref name="separation"/> (−bᵀy, −cᵀx, …) above
    /// <paramref name="floor"/> and the violation of the homogeneous conditions at most ε × separation. Scale invariant:
    /// a certificate at ε proves infeasibility up to a relative perturbation ε of the data.
    /// </summary>
    public static bool Certifies(double separation, double violation, double floor, double epsilon) =>
        separation > floor && violation <= epsilon * separation;

    /// <summary><see cref="Certifies(double, double, double, double)"/> per item; <paramref name="floor"/> null means 0.</summary>
    public static Tensor Certifies(Tensor separation, Tensor violation, Tensor? floor, double epsilon) =>
        (floor is null ? separation.GreaterThan(0L) : separation > floor) & (violation <= separation.Times(epsilon));
}
