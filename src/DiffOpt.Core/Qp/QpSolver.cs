using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Qp;

/// <summary>
/// Solves batches of convex quadratic programs
/// <code>
///   minimize ½zᵀQz + pᵀz   subject to   Gz ≤ h,  Az = b
/// </code>
/// with a batched proximal interior-point method (no gradient; see <see cref="QpFunction"/> for the
/// differentiable form). Q must be symmetric positive semidefinite (Q = 0 gives a linear program); A may
/// have dependent rows. Each item gets its own <see cref="SolverStatus"/>: infeasible or unbounded items are
/// reported as such without disturbing the rest of the batch.
/// </summary>
public sealed class QpSolver
{
    /// <summary>Creates a solver with the given options (the defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public QpSolver(QpSolverOptions? options = null) : this(options, workspace: null)
    {
    }

    /// <summary>
    /// Creates a solver with the given options (the defaults when null) whose solves keep their work memory in
    /// <paramref name="workspace"/> across calls (null: fresh memory every call). The caller owns the workspace.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public QpSolver(QpSolverOptions? options, QpWorkspace? workspace)
    {
        Options = options ?? QpSolverOptions.Default;
        Options.Validate();
        Workspace = workspace;
    }

    /// <summary>The options this solver uses.</summary>
    public QpSolverOptions Options { get; }

    /// <summary>The workspace whose memory the solves reuse, or null.</summary>
    public QpWorkspace? Workspace { get; }

    /// <summary>
    /// Solves a batch of QPs. Each argument is unbatched ((n,n), (n), (m,n), (m), (p,n), (p)) or batched with a
    /// leading batch dimension B; unbatched arguments are shared by every item. Absent constraint blocks are
    /// null (or have zero rows). All tensors must share one dtype (float32 or float64) and one device. B may be 0 (an
    /// empty solution).
    /// </summary>
    /// <param name="Q">Quadratic term, (n,n) or (B,n,n), symmetric positive semidefinite.</param>
    /// <param name="p">Linear term, (n) or (B,n).</param>
    /// <param name="G">Inequality matrix, (m,n) or (B,m,n), or null.</param>
    /// <param name="h">Inequality right-hand side, (m) or (B,m); null exactly when G is. +∞ means no constraint (λ = 0, zero gradient for the row); −∞ makes the item <see cref="SolverStatus.PrimalInfeasible"/>.</param>
    /// <param name="A">Equality matrix, (p,n) or (B,p,n), or null.</param>
    /// <param name="b">Equality right-hand side, (p) or (B,p); null exactly when A is.</param>
    /// <returns>Solutions, duals, per-item status, iterations and residuals.</returns>
    /// <exception cref="ArgumentException">An argument has the wrong rank, size, batch size, dtype or device, contains NaN (or ±∞ outside h), or Q is not symmetric.</exception>
    /// <exception cref="SolveFailedException"><see cref="QpSolverOptions.ThrowOnFailure"/> is set and an item failed.</exception>
    public QpSolution Solve(Tensor Q, Tensor p, Tensor? G, Tensor? h, Tensor? A, Tensor? b) =>
        Solve(Q, p, G, h, A, b, warmStart: null);

    /// <summary>
    /// Solves a batch of QPs starting from <paramref name="warmStart"/> (for example the solution of a slightly
    /// different batch); otherwise as <see cref="Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?)"/>.
    /// Interior-point methods profit from a warm start only when it is close; a poor one costs a few iterations.
    /// </summary>
    /// <param name="Q">Quadratic term, (n,n) or (B,n,n), symmetric positive semidefinite.</param>
    /// <param name="p">Linear term, (n) or (B,n).</param>
    /// <param name="G">Inequality matrix, (m,n) or (B,m,n), or null.</param>
    /// <param name="h">Inequality right-hand side, (m) or (B,m); null exactly when G is. +∞ means no constraint (λ = 0, zero gradient for the row); −∞ makes the item <see cref="SolverStatus.PrimalInfeasible"/>.</param>
    /// <param name="A">Equality matrix, (p,n) or (B,p,n), or null.</param>
    /// <param name="b">Equality right-hand side, (p) or (B,p); null exactly when A is.</param>
    /// <param name="warmStart">Starting point, or null for the default start.</param>
    /// <returns>Solutions, duals, per-item status, iterations and residuals.</returns>
    /// <exception cref="ArgumentException">An argument or the warm start is malformed.</exception>
    /// <exception cref="SolveFailedException"><see cref="QpSolverOptions.ThrowOnFailure"/> is set and an item failed.</exception>
    public QpSolution Solve(Tensor Q, Tensor p, Tensor? G, Tensor? h, Tensor? A, Tensor? b, QpWarmStart? warmStart)
    {
        return TemporaryTensors.Hold<QpSolution>(() =>
        {
            using var noGrad = no_grad();
            var problem = QpProblem.Create(Q?.detach(), p?.detach(), G?.detach(), h?.detach(), A?.detach(), b?.detach());
            var result = SolveCore(problem, Options, warmStart, Workspace);
            result.State.Lease?.Release(); // no backward pass reads the state: the buffers are free now
            return result.Solution;
        });
    }

    /// <summary>Solves a validated problem and keeps what the derivative needs.</summary>
    /// <remarks>
    /// With a <paramref name="workspace"/>, the call leases its buffers; they are free again once the tensors of the
    /// returned state are disposed or collected, or its lease is released.
    /// </remarks>
    internal static QpSolveResult SolveCore(QpProblem problem, QpSolverOptions options, QpWarmStart? warmStart = null,
        QpWorkspace? workspace = null)
    {
        var lease = workspace?.Lease(problem);
        try
        {
            return SolveCore(problem, options, warmStart, lease);
        }
        finally
        {
            lease?.EndCall();
        }
    }

    private static QpSolveResult SolveCore(QpProblem problem, QpSolverOptions options, QpWarmStart? warmStart, BufferLease? lease)
    {
        QpSolveResult result;
        using (var scope = NewDisposeScope())
        {
            // The solver sees the problem normalised to unit size (ProblemNormalization); the caller gets its own.
            var (normalization, normalized, scaling, scaled) = ProblemNormalization.Prepare(problem, options.EquilibrationIterations, lease);
            var start = warmStart is null ? null : (normalization?.Normalize(warmStart) ?? warmStart).ToScaled(normalized, scaling);
            var ipm = QpSolveDriver.Run(normalized, scaled, scaling, options, start, lease);
            var (it, statusCodes, polished, polishedCheck) = Polish(normalized, scaled, scaling, ipm, options);
            var x = scaling.UnscalePrimal(it.X);
            var y = scaling.UnscaleEqualityDual(it.Y);
            var z = scaling.UnscaleInequalityDual(it.Z);
            if (normalization is not null) (y, z) = (normalization.EqualityDualOfOriginal(y), normalization.InequalityDualOfOriginal(z));

            var status = statusCodes.cpu().data<long>().Select(code => (SolverStatus)code).ToArray();
            var iterations = ipm.Iterations.cpu().data<long>().Select(i => (int)i).ToArray();
            // Without a normalisation the polishing's check of the returned points (when every item took its polished
            // point) is this check: the same problem and the same unscaled points, so the same bits.
            var residuals = normalization is null && polishedCheck is not null ? polishedCheck : SolutionResiduals.Evaluate(problem, x, z, y);
            var (primal, dual, gap) = residuals.HostMeasures();
            var solution = new QpSolution(x, z, y, status, iterations, primal, dual, gap,
                polished.cpu().data<bool>().ToArray());
            var usable = HostTensors.Of(status.Select(s => s.HasSolution()).ToArray(), x.device);
            var state = new QpDerivativeState(normalized, normalization, scaled, scaling, ipm.Kkt, it, usable, lease);
            result = new QpSolveResult(solution, state);
            scope.MoveToOuter(state.Tensors().Append(x).Append(y).Append(z));
        }
        if (options.ThrowOnFailure) result.Solution.ThrowIfAnyFailed();
        return result;
    }

    /// <summary>
    /// Polishes the usable items of the interior-point result (<see cref="Polishing"/>) when the options ask for it;
    /// returns the iterate, the statuses (an inaccurate item whose polished point meets the tolerance is solved),
    /// which items took the polished point and, when all did, the check of the returned points on <paramref name="problem"/>.
    /// </summary>
    private static (QpIterate Iterate, Tensor Status, Tensor Polished, SolutionResiduals? Check) Polish(QpProblem problem, ScaledQp scaled,
        RuizEquilibration scaling, IpmResult ipm, QpSolverOptions options)
    {
        var usable = ipm.Status.EqualTo((long)SolverStatus.Solved) | ipm.Status.EqualTo((long)SolverStatus.Inaccurate);
        if (!options.Polish) return (ipm.Iterate, ipm.Status, zeros_like(usable), null);
        var tol = options.TolerancesFor(problem.DType);
        var outcome = Polishing.Apply(problem, scaled, scaling, ipm.Kkt, ipm.Iterate, usable, ipm.CheckRatio, tol);
        if (outcome.AcceptedAndSolved is null) return (outcome.Iterate, ipm.Status, outcome.Accepted, outcome.CheckOfIterate);
        var status = where(outcome.AcceptedAndSolved, ipm.Status.FullLike((long)SolverStatus.Solved), ipm.Status);
        return (outcome.Iterate, status, outcome.Accepted, outcome.CheckOfIterate);
    }
}

/// <summary>A solution together with the state its derivative needs.</summary>
internal sealed record QpSolveResult(QpSolution Solution, QpDerivativeState State);
