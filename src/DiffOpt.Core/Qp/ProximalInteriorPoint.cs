using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Batched proximal interior-point method for convex QPs (Schwan, Jiang, Kuhn, Jones: "PIQP: A Proximal
/// Interior-Point Quadratic Programming Solver", CDC 2023). A proximal method of multipliers keeps the KKT
/// system positive definite for singular P, dependent equality rows and duplicated inequality rows; its
/// proximal terms also reveal infeasibility. Every item of the batch carries its own regularisation, step
/// lengths, counters and status, so items finish (or fail) independently while the linear algebra runs
/// batched: one Cholesky of (B,n,n) per iteration, Mehrotra predictor-corrector steps.
/// </summary>
internal sealed class ProximalInteriorPoint
{
    private const double RhoInit = 1e-6;
    private const double DeltaInit = 1e-4;
    private const double Tau = 0.99;
    private const double InfeasibilityThreshold = 0.9;
    private const double SuspectedInfeasibilityShrink = 0.3;
    private const int FinetuneUpdateThreshold = 7;
    private const int InfeasibilityUpdateThreshold = 5;
    private const int MaxFactorRetries = 10;
    private const int RefinementStepsAfterShift = 3;
    private const long Running = -1;
    private const double CompactionFraction = 0.75;
    private const double WarmStartMinimumMu = 1e-6;

    /// <summary>Internal status of an item handed over to the fallback (see <see cref="Solve"/>).</summary>
    internal const long Stalled = -2;

    /// <summary>With a fixed-regularisation KKT solver, an item whose proximal centre has not moved for this many iterations is stalled.</summary>
    private const int StallThreshold = 8;

    /// <summary>Iterations between the progress checks of <see cref="StalledItems"/>.</summary>
    private const int ProgressWindow = 10;

    // The working set: the items still iterating (see Compact), and where they sit in the full batch.
    private ScaledQp _qp;
    private RuizEquilibration _scaling;
    private KktSolver _kkt;
    private Tensor _rows = null!;
    private readonly ScaledQp _fullQp;
    private readonly RuizEquilibration _fullScaling;
    private readonly KktSolver _fullKkt;

    // Results of items that left the working set, in full batch order.
    // Null until items leave a compacted working set (see CreateFinal).
    private QpIterate? _final;
    private Tensor? _finalStatus, _finalIterations, _finalCheckRatio;

    private readonly SolverTolerances _tol;
    private readonly NumericLimits _limits;
    private readonly QpSolverOptions _options;
    private readonly long _m;
    private readonly QpProblem _problem;
    private readonly QpIterate? _warmStart;
    private readonly Tensor? _iterationsSpent;

    /// <summary>
    /// Whether some item of the working set may carry a static shift (<see cref="_staticShift"/>): only then do the
    /// KKT solves need refinement (see <see cref="Refinement"/>).
    /// </summary>
    private bool _anyShift;

    /// <summary>Diagnostics hook: when set, receives one line per iteration for batch item 0.</summary>
    internal static Action<string>? Trace { get; set; }

    /// <summary>The batch item <see cref="Trace"/> reports on.</summary>
    internal static int TraceItem { get; set; }

    // Per-item state, all batch-first.
    private QpIterate _it = null!;
    private Tensor _xi = null!, _lambda = null!, _nu = null!;       // proximal centres of x, y, z
    private Tensor _rho = null!, _delta = null!, _regFloor = null!; // (B,); δ regularises the equality block
    private Tensor _deltaIneq = null!;                               // (B,) δ of the inequality block (always adaptive)
    private Tensor _staticShift = null!;                             // (B,) extra diagonal after a failed factorisation
    private Tensor _noPrimalUpdate = null!, _noDualUpdate = null!;   // (B,) counters
    private Tensor _mu = null!;                                      // (B,) average complementarity
    private Tensor _status = null!, _iterations = null!;             // (B,) int64
    private Tensor? _runningOf, _running;                            // RunningMask() and the status tensor it was read from
    private QpResiduals _res = null!;
    private ResidualNormalizer _norm = null!;
    // The previous step's primal and dual measures: the rows of the measure table _prevTable while the residuals come
    // as kernel tables (QpResiduals.MeasureTable), else the columns _prevPrimal and _prevDual.
    private Tensor? _prevPrimal, _prevDual, _prevTable;
    private Tensor _windowRatio = null!;                             // (B,) worst measure / limit at the last progress check
    private Tensor _checkRatio = null!;                              // (B,) worst measure / limit of the last check of the returned point
    private double _maxStallCount;                                   // an upper bound of the counters' largest entry
    private long _iterationsBound;                                   // an upper bound of the iteration counts' largest entry

    private ProximalInteriorPoint(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, KktSolver kkt,
        QpIterate? warmStart, Tensor? iterationsSpent)
    {
        _problem = problem;
        _warmStart = warmStart;
        _iterationsSpent = iterationsSpent;
        _qp = _fullQp = qp;
        _scaling = _fullScaling = scaling;
        _kkt = _fullKkt = kkt;
        _options = options;
        _tol = options.TolerancesFor(qp.C.dtype);
        _limits = NumericLimits.For(qp.C.dtype);
        _m = qp.InequalityCount;
    }

    /// <summary>
    /// Runs the method on a scaled batch with the given KKT solver and returns the final iterate, statuses and
    /// factorisation. With a fixed-regularisation solver (<see cref="KktSolver.FixedRegularization"/>), items
    /// whose progress stalls (typically infeasible ones, which need a vanishing regularisation to be certified)
    /// end with the internal status <see cref="Stalled"/> for the caller to re-solve with an adaptive one.
    /// <paramref name="iterationsSpent"/> (B,) counts iterations already spent on each item: the budget
    /// <see cref="QpSolverOptions.MaxIterations"/> is per item and covers them.
    /// </summary>
    public static IpmResult Solve(QpProblem problem, ScaledQp qp, RuizEquilibration scaling, QpSolverOptions options, KktSolver kkt,
        QpIterate? warmStart = null, Tensor? iterationsSpent = null)
    {
        var solver = new ProximalInteriorPoint(problem, qp, scaling, options, kkt, warmStart, iterationsSpent);
        return solver.Run();
    }

    private IpmResult Run()
    {
        using (var loop = NewDisposeScope())
        {
            Initialize();
            Trace?.Invoke("KKT solver: " + _kkt.GetType().Name);
            bool small = IsSmall(_fullQp);
            Prune(loop, small);
            for (int iter = 0; iter < _options.MaxIterations; iter++)
            {
                if (!Iterate(iter)) break;
                using var phase = PhaseTimer.Measure("compaction and freeing temporaries", _status.size(0));
                Compact();
                Prune(loop, small);
            }
            using (PhaseTimer.Measure("compaction and freeing temporaries", _status.size(0)))
                Retire(ones_like(_status, dtype: ScalarType.Bool));
            loop.MoveToOuter(StateTensors());
        }
        return new IpmResult(_final!, _finalStatus!, _finalIterations!, _finalCheckRatio!, _fullKkt);
    }

    /// <summary>
    /// Frees the loop's tensors that the state no longer holds. Each pass hashes every state tensor (about a tenth of a
    /// B = 1, n = 10 solve when done every iteration), so for a <paramref name="small"/> problem, whose temporaries are
    /// small, the pass waits until the scope holds <see cref="SmallScopeLimit"/> tensors; the rest are freed when the loop ends.
    /// </summary>
    private void Prune(DisposeScope loop, bool small)
    {
        if (!small || loop.DisposablesCount > SmallScopeLimit) loop.DisposeEverythingBut(StateTensors());
    }

    /// <summary>Tensors the loop's scope of a small problem may hold before <see cref="Prune"/> frees them.</summary>
    private const int SmallScopeLimit = 1024;

    /// <summary>
    /// Largest B·(n + m + p)² of a small problem: no tensor of its solve is larger (32 KB in float64), so the tensors
    /// that <see cref="Prune"/> lets accumulate take at most <see cref="SmallScopeLimit"/> × 32 KB.
    /// </summary>
    private const long SmallProblemElements = 4096;

    private static bool IsSmall(ScaledQp qp)
    {
        long size = qp.N + qp.InequalityCount + qp.B.size(-1);
        return qp.BatchSize * size * size <= SmallProblemElements;
    }

    /// <summary>
    /// Once at most <see cref="CompactionFraction"/> of the working set is still iterating, the finished items
    /// leave it (their results are written to the full-batch outputs), so that the remaining iterations only pay
    /// for the items that need them. Items finish independently anyway; this only saves work.
    /// </summary>
    private void Compact()
    {
        var iterating = WithinBudget(RunningMask());
        long count = HostMask.Count(iterating);
        long size = _status.size(0);
        if (Trace is not null || count == size || count > CompactionFraction * size) return;
        Retire(~iterating);
        var keep = iterating.nonzero().squeeze(-1);
        _rows = _rows.index_select(0, keep);
        _qp = _fullQp.Select(_rows);
        _scaling = _fullScaling.Select(_rows);
        _kkt = _kkt.Select(keep, _qp);
        _it = _it.Select(keep);
        _res = _res.Select(keep);
        _norm = _norm.Select(keep);
        Tensor S(Tensor t) => t.index_select(0, keep);
        (_xi, _lambda, _nu) = (S(_xi), S(_lambda), S(_nu));
        (_rho, _delta, _deltaIneq, _regFloor, _staticShift) = (S(_rho), S(_delta), S(_deltaIneq), S(_regFloor), S(_staticShift));
        _anyShift = _anyShift && _staticShift.NotEqualTo(0.0).any().item<bool>();
        (_noPrimalUpdate, _noDualUpdate, _mu) = (S(_noPrimalUpdate), S(_noDualUpdate), S(_mu));
        (_status, _iterations, _windowRatio) = (S(_status), S(_iterations), S(_windowRatio));
        Tensor? SelectOrNull(Tensor? t) => t is null ? null : S(t);
        (_prevPrimal, _prevDual, _prevTable) = (SelectOrNull(_prevPrimal), SelectOrNull(_prevDual), SelectOrNull(_prevTable));
        _checkRatio = S(_checkRatio);
    }

    /// <summary>
    /// <paramref name="mask"/> &amp; (iterations &lt; <see cref="QpSolverOptions.MaxIterations"/>); the mask itself while the
    /// host's bound on the iterations shows that no item has reached the limit.
    /// </summary>
    private Tensor WithinBudget(Tensor mask) =>
        _iterationsBound < _options.MaxIterations ? mask : mask & _iterations.LessThan(_options.MaxIterations);

    /// <summary>Settles the status of the working items in <paramref name="mask"/> and writes their results to the full-batch outputs.</summary>
    private void Retire(Tensor mask)
    {
        Finish(mask);
        // The whole batch leaving an uncompacted working set (always at B = 1): the working state is the result.
        if (ReferenceEquals(_qp, _fullQp) && HostMask.OnHost(mask) && HostMask.All(mask))
        {
            (_final, _finalStatus, _finalIterations, _finalCheckRatio) = (_it, _status, _iterations, _checkRatio);
            return;
        }
        var (final, finalStatus, finalIterations, finalCheckRatio) = _final is null ? CreateFinal() : (_final, _finalStatus!, _finalIterations!, _finalCheckRatio!);
        var leaving = mask.nonzero().squeeze(-1);
        var rows = _rows.index_select(0, leaving);
        _final = _it.Select(leaving).ScatterInto(final, rows);
        _finalStatus = finalStatus.index_copy(0, rows, _status.index_select(0, leaving));
        _finalIterations = finalIterations.index_copy(0, rows, _iterations.index_select(0, leaving));
        _finalCheckRatio = finalCheckRatio.index_copy(0, rows, _checkRatio.index_select(0, leaving));
    }

    /// <summary>
    /// The full-batch outputs, before any item has left the working set: zeros, status running, ratio +∞. Made only
    /// when items leave a compacted working set (a batch that leaves whole returns its working state).
    /// </summary>
    private (QpIterate Final, Tensor Status, Tensor Iterations, Tensor CheckRatio) CreateFinal()
    {
        var (b, dtype, device) = (_fullQp.BatchSize, _fullQp.C.dtype, _fullQp.C.device);
        Tensor Zeros(Tensor t) => zeros(b, t.size(1), dtype, device);
        return (new QpIterate(Zeros(_it.X), Zeros(_it.Y), Zeros(_it.Z), Zeros(_it.S)),
            ScalarSafeOperations.With(Running, s => full(b, s, ScalarType.Int64, device)),
            zeros(b, ScalarType.Int64, device),
            ScalarSafeOperations.With(double.PositiveInfinity, s => full(b, s, dtype, device)));
    }

    /// <summary>Sets up the per-item state and the starting point (cold, or from <see cref="_warmStart"/>).</summary>
    private void Initialize()
    {
        using var phase = PhaseTimer.Measure("starting point (the rest)", _qp.BatchSize);
        var b = _qp.BatchSize;
        var opts = (dtype: _qp.C.dtype, device: _qp.C.device);
        var fixedRegularization = _kkt.FixedRegularization;
        Tensor Filled(double value) => ScalarSafeOperations.With(value, s => full(b, s, opts.dtype, opts.device));
        Tensor Statuses(long value) => ScalarSafeOperations.With(value, s => full(b, s, ScalarType.Int64, opts.device));
        _rho = fixedRegularization?.Rho ?? Filled(RhoInit);
        _deltaIneq = Filled(DeltaInit);
        _delta = fixedRegularization?.Delta ?? _deltaIneq;
        _regFloor = Filled(_limits.RegularizationFloor);
        _staticShift = zeros(b, opts.dtype, opts.device);
        _noPrimalUpdate = zeros(b, opts.dtype, opts.device);
        _noDualUpdate = zeros(b, opts.dtype, opts.device);
        _status = where(ConvexityCheck.NotPositiveSemidefinite(_qp, _limits, _options.ConvexityTolerance).to(opts.device),
            Statuses((long)SolverStatus.NonConvex), Statuses(Running));
        _iterations = _iterationsSpent ?? zeros(b, ScalarType.Int64, opts.device);
        _iterationsBound = _iterationsSpent is null || b == 0 ? 0 : _iterationsSpent.max().item<long>();

        _norm = ResidualNormalizer.Create(_qp, _scaling);
        _it = _warmStart is null ? ColdStart() : WarmStart(_warmStart);
        _rows = ScalarSafeOperations.Range(b, ScalarType.Int64, opts.device);
        _checkRatio = Filled(double.PositiveInfinity);
        _mu = ComplementarityMean(_it);
        _xi = _it.X; _lambda = _it.Y; _nu = _it.Z;
        _res = QpResiduals.Evaluate(_qp, _norm, _it);
        KeepPreviousMeasures(null);
        _windowRatio = Filled(double.PositiveInfinity);
    }

    /// <summary>
    /// PIQP's starting point: one regularised least-squares solve with s = z = 1 (which yields s = −z), then each
    /// pair is moved along s − z = const onto s_i z_i = μ.
    /// </summary>
    private QpIterate ColdStart()
    {
        var ones = ones_like(_qp.H);
        var running = RunningMask();
        var (first, _) = FactorWithRetries(new KktParameters(_rho, _delta, ones.Plus(Batched.PerItem(_deltaIneq))), running,
            HostMask.OnHost(running) && HostMask.All(running));
        var (steps, refined) = Refinement;
        var d = _kkt.Solve(first, new KktVector(-_qp.C, _qp.B, _qp.H), steps, refined);
        if (_m == 0) return new QpIterate(d.X, d.Y, d.Z, -d.Z);
        var z = d.Z;
        var s = -d.Z;
        var mu = Batched.Dot(s - s.amin(new long[] { -1 }, keepdim: true).AtMost(0L), z - z.amin(new long[] { -1 }, keepdim: true).AtMost(0L))
            .DividedBy(_m).AtLeast(1e-10);
        return CenteredPairs(d.X, d.Y, z, mu);
    }

    /// <summary>
    /// Starts from a given (scaled) primal-dual point: slacks s = h − Gx, then each pair is moved along
    /// s − z = const onto s_i z_i = μ with μ no smaller than <see cref="WarmStartMinimumMu"/>.
    /// </summary>
    private QpIterate WarmStart(QpIterate warm)
    {
        if (_m == 0) return new QpIterate(warm.X, warm.Y, warm.Z, warm.S);
        var s = _qp.H - _qp.Gx(warm.X);
        var mu = Batched.Dot(s.AtLeast(0L), warm.Z.AtLeast(0L)).DividedBy(_m).AtLeast(WarmStartMinimumMu);
        return CenteredPairs(warm.X, warm.Y, warm.Z - s, mu);
    }

    /// <summary>
    /// For each inequality: the pair (s_i, z_i) with z_i − s_i = c_i and s_i z_i = μ (per item):
    /// z = (c + √(c² + 4μ))/2, s = z − c.
    /// </summary>
    private static QpIterate CenteredPairs(Tensor x, Tensor y, Tensor c, Tensor mu)
    {
        var zNew = c.Plus((c * c).Plus(mu.unsqueeze(-1).Times(4L)).sqrt()).Times(0.5);
        return new QpIterate(x, y, zNew, zNew - c);
    }

    /// <summary>One iteration for every running item. Returns false when no item is running any more.</summary>
    private bool Iterate(int iter)
    {
        using var phase = PhaseTimer.Measure("iteration checks and proximal terms", _status.size(0));
        SolveCancellation.ThrowIfRequested();
        // The scaled residuals drive the iteration; a candidate counts as solved only when the residuals of the point
        // that would be returned (unscaled, on the original data, with their rounding noise) meet the tolerance too.
        // Converged by the solver's own measures, yet the returned point's residuals below their rounding noise:
        // more iterations cannot help, so such items stop as inaccurate (when within the factor).
        // (Most iterations have no item near convergence: the host test of MayMeet skips the batched one.)
        if (_res.MayMeet(_tol)) SettleByCheck(RunningMask() & _res.Meets(_tol), check => check.NoiseLimited(_tol));
        if (iter > 0 && iter % ProgressWindow == 0) SettleByCheck(StalledItems(RunningMask()), giveUp: null);
        var running = RunningMask();

        // PIQP's proximal infeasibility measures steer the adaptive regularisations (ρ only in the primal form).
        bool adaptive = _kkt.FixedRegularization is null;
        var (primalProxInf, dualProxInf) = ProximalInfeasibility(adaptive);
        // Infeasibility and stalls need counters above their thresholds; most iterations have none.
        bool statusMayChange = _maxStallCount > InfeasibilityUpdateThreshold || (_kkt.FixedRegularization is not null && _maxStallCount > StallThreshold);
        if (_maxStallCount > InfeasibilityUpdateThreshold) DetectInfeasibility(running);
        if (_kkt.FixedRegularization is not null && _maxStallCount > StallThreshold)
            _status = where(running & (_noDualUpdate.GreaterThan(StallThreshold) | _noPrimalUpdate.GreaterThan(StallThreshold)), _status.FullLike(Stalled), _status);

        running = WithinBudget(statusMayChange ? RunningMask() : running);
        if (!HostMask.Any(running)) return false;
        bool allRunning = HostMask.OnHost(running) && HostMask.All(running);
        _iterations = allRunning ? _iterations.Plus(1L) : _iterations.Plus(running.to(ScalarType.Int64));
        _iterationsBound++;

        // Keep z off the boundary, which would make s/z blow up (PIQP), by a floor ε/max(1, s): on a far inactive
        // row (a bound of 1e12 standing for "none") a floor of ε would hold s·z, hence μ and the duality gap, at
        // ε·s, above the tolerance; with ε/s its s·z stays at ε while s/z stays finite (s²/ε). On the CPU a host
        // pass rules out the common case that no dual is near its floor.
        bool noneBelowFloor = ProximalTermsKernel.Applies(_it.Z, _it.S)
                              && !ProximalTermsKernel.AnyBelowFloor(_it.Z, _it.S, running, _limits.MachineEpsilon);
        if (_m > 0 && !noneBelowFloor)
        {
            var floor = _it.S.AtLeast(1L).Into(_limits.MachineEpsilon);
            var shifted = (_it.Z < floor) & running.unsqueeze(-1);
            if (shifted.any().item<bool>())
            {
                _it = _it with { Z = where(shifted, _it.Z.Plus(floor), _it.Z) };
                _mu = ComplementarityMean(_it);
            }
        }
        if (adaptive && _maxStallCount > FinetuneUpdateThreshold) LowerRegularizationFloor(running, primalProxInf, dualProxInf!);

        if (Trace is not null)
        {
            int t = TraceItem;
            double V(Tensor? v) => v is null ? double.NaN : v[t].to_type(ScalarType.Float64).item<double>();
            Trace($"{iter,3} status {_status[t].item<long>(),2} pres {V(_res.Norms.Primal):E2} dres {V(_res.Norms.Dual):E2} gap {V(_res.Norms.Gap):E2} mu {V(_mu):E2} rho {V(_rho):E2} delta {V(_delta):E2}/{V(_deltaIneq):E2} pinf {V(primalProxInf):E2} dinf {V(dualProxInf):E2} nopu {V(_noPrimalUpdate)} nodu {V(_noDualUpdate)} |x| {V(Batched.InfNorm(_it.X)):E2} cx {V(Batched.Dot(_qp.C, _it.X)):E2}");
        }
        var parameters = new KktParameters(_rho, _delta, InequalityWeights());
        var (factored, factorFailed) = FactorWithRetries(parameters, running, allRunning);
        // (running implies status Running, so only a failure can change it.)
        if (factorFailed) running = running & RunningMask();
        var reg = RegularizedResiduals();

        var muBefore = _mu;
        var candidate = _m > 0 ? CorrectorStep(factored, reg) : FullStep(factored, reg);
        bool finite = ProximalTermsKernel.Applies(candidate.X, candidate.Y, candidate.Z, candidate.S) && ProximalTermsKernel.AllFinite(candidate);
        var accepted = finite ? running : running & candidate.IsFinite();
        if (HostMask.All(accepted)) _it = candidate;
        else
        {
            SetStatus(running & ~accepted, SolverStatus.NumericalError);
            _it = candidate.Where(accepted, _it);
        }
        _mu = ComplementarityMean(_it);

        KeepPreviousMeasures(accepted);
        _res = QpResiduals.Evaluate(_qp, _norm, _it);
        UpdateRegularization(accepted, iter, muBefore, primalProxInf, dualProxInf);
        return true;
    }

    /// <summary>
    /// Before the residuals of a new iterate replace <see cref="_res"/>: the previous measures become those of
    /// <see cref="_res"/> for the items that took the step (<paramref name="accepted"/>; all items when null) and stay
    /// for the others. Kernel tables stay tables (no columns are made); otherwise the measures are kept as columns.
    /// </summary>
    private void KeepPreviousMeasures(Tensor? accepted)
    {
        if (_res.MeasureTable is { } table && (accepted is null || _prevTable is not null))
        {
            _prevTable = accepted is null ? table : Follow(accepted, table, _prevTable!);
            return;
        }
        var (primal, dual) = (_res.Norms.Primal, _res.Norms.Dual);
        if (accepted is not null)
        {
            var (prevPrimal, prevDual) = PreviousColumns();
            (primal, dual) = (Follow(accepted, primal, prevPrimal), Follow(accepted, dual, prevDual));
        }
        (_prevPrimal, _prevDual, _prevTable) = (primal, dual, null);
    }

    /// <summary>The previous primal and dual measures as columns (B,).</summary>
    private (Tensor Primal, Tensor Dual) PreviousColumns() => _prevTable is { } table
        ? (table.select(1, (long)ScaledResidualsKernel.Measure.Primal), table.select(1, (long)ScaledResidualsKernel.Measure.Dual))
        : (_prevPrimal!, _prevDual!);

    /// <summary>The residuals with the proximal terms: rx − ρ(x − ξ), ry − δ(λ − y), rz − δ_ineq(ν − z); on the CPU in <see cref="ProximalTermsKernel"/>.</summary>
    private (Tensor Rx, Tensor Ry, Tensor Rz) RegularizedResiduals()
    {
        if (ProximalTermsKernel.Applies(_res.Rx, _res.Ry, _res.Rz, _it.X, _it.Y, _it.Z, _xi, _lambda, _nu, _rho, _delta, _deltaIneq))
            return ProximalTermsKernel.RegularizedResiduals(_res, _it, _xi, _lambda, _nu, _rho, _delta, _deltaIneq);
        return (_res.Rx - Batched.PerItem(_rho) * (_it.X - _xi),
            _res.Ry - Batched.PerItem(_delta) * (_lambda - _it.Y),
            _res.Rz - Batched.PerItem(_deltaIneq) * (_nu - _it.Z));
    }

    /// <summary>
    /// PIQP's proximal infeasibility measures per item: primal max(δ‖E_A(λ − y)‖∞, δ_ineq‖E_G(ν − z)‖∞) and, in the
    /// adaptive form, dual ρ‖D(x − ξ)‖∞ (else null); on the CPU in <see cref="ProximalTermsKernel"/>.
    /// </summary>
    private (Tensor Primal, Tensor? Dual) ProximalInfeasibility(bool adaptive)
    {
        if (ProximalTermsKernel.Applies(_it.X, _it.Y, _it.Z, _xi, _lambda, _nu, _scaling.D, _scaling.EA, _scaling.EG, _rho, _delta, _deltaIneq))
            return ProximalTermsKernel.InfeasibilityMeasures(_it, _xi, _lambda, _nu, _scaling, _rho, _delta, _deltaIneq, adaptive);
        var primal = maximum(
            _delta * Batched.InfNorm(_scaling.UnscaleEqualityDual(_lambda - _it.Y)),
            _deltaIneq * Batched.InfNorm(_scaling.UnscaleInequalityDual(_nu - _it.Z)));
        return (primal, adaptive ? _rho * Batched.InfNorm(_scaling.UnscalePrimal(_it.X - _xi)) : null);
    }

    /// <summary>
    /// An item is declared infeasible when its progress has stalled (PIQP: the proximal centre of the duals,
    /// resp. of x, stopped moving for several iterations) and the diverging iterate is a Farkas certificate
    /// (see <see cref="InfeasibilityCertificates"/>). The certificate replaces the duals (resp. x) of the item.
    /// </summary>
    private void DetectInfeasibility(Tensor running)
    {
        // The certificates cost a few matrix-vector products; only stalled items can qualify.
        var primalCandidates = running & _noDualUpdate.GreaterThan(InfeasibilityUpdateThreshold);
        var dualCandidates = running & _noPrimalUpdate.GreaterThan(InfeasibilityUpdateThreshold);
        if (primalCandidates.any().item<bool>())
        {
            var (found, y, z) = InfeasibilityCertificates.PrimalInfeasible(_qp, _scaling, _it, _res, _lambda, _nu, _tol.Infeasibility);
            var certified = primalCandidates & found;
            SetStatus(certified, SolverStatus.PrimalInfeasible);
            _it = _it with { Y = where(certified.unsqueeze(-1), y, _it.Y), Z = where(certified.unsqueeze(-1), z, _it.Z) };
        }
        if (dualCandidates.any().item<bool>())
        {
            var (found, x) = InfeasibilityCertificates.DualInfeasible(_qp, _scaling, _it, _xi, _tol.Infeasibility);
            var certified = dualCandidates & found & RunningMask();
            SetStatus(certified, SolverStatus.DualInfeasible);
            _it = _it with { X = where(certified.unsqueeze(-1), x, _it.X) };
        }
    }

    /// <summary>When the proximal centres stall at the floor, lower the floor once (PIQP's fine-tuning).</summary>
    private void LowerRegularizationFloor(Tensor running, Tensor primalProxInf, Tensor dualProxInf)
    {
        double finetune = _limits.FinetuneRegularizationFloor;
        var notYet = _regFloor.NotEqualTo(finetune);
        var stalled = (_noPrimalUpdate.GreaterThan(FinetuneUpdateThreshold) & (_rho == _regFloor) & notYet)
                      | (_noDualUpdate.GreaterThan(FinetuneUpdateThreshold) & (_deltaIneq == _regFloor) & notYet);
        var lower = running & stalled & dualProxInf.LessThan(InfeasibilityThreshold) & primalProxInf.LessThan(InfeasibilityThreshold);
        _regFloor = where(lower, _regFloor.FullLike(finetune), _regFloor);
        _noPrimalUpdate = where(lower, zeros_like(_noPrimalUpdate), _noPrimalUpdate);
        _noDualUpdate = where(lower, zeros_like(_noDualUpdate), _noDualUpdate);
    }

    /// <summary>w = s/z + δ: the inequality block of the condensed KKT operator.</summary>
    private Tensor InequalityWeights() => ProximalTermsKernel.Applies(_it.S, _it.Z, _deltaIneq)
        ? ProximalTermsKernel.InequalityWeights(_it.S, _it.Z, _deltaIneq)
        : NonnegativeOrthant.Scaling(_it.S, _it.Z).Plus(Batched.PerItem(_deltaIneq));

    /// <summary>
    /// Factorises Φ; where it fails, first adds a static diagonal shift, then multiplies ρ and δ by 100 (PIQP),
    /// up to <see cref="MaxFactorRetries"/> times. Items that still fail get <see cref="SolverStatus.NumericalError"/>.
    /// Returns the operator that was factorised, without the static shift, and whether some item failed.
    /// </summary>
    private (KktParameters Operator, bool AnyFailed) FactorWithRetries(KktParameters parameters, Tensor running, bool allRunning = false)
    {
        // (running is a host mask of all true when allRunning: the failures are then Factor's own.)
        Tensor Failed(Tensor factorFailed) => allRunning ? factorFailed : factorFailed & running;
        var failed = Failed(Factor(parameters));
        bool anyFailed = HostMask.Any(failed);
        for (int retry = 0; retry < MaxFactorRetries && anyFailed; retry++)
        {
            var firstFailure = failed & _staticShift.EqualTo(0L);
            var diagonalScale = Batched.MaxAbs(_qp.P).Plus(1.0);
            _anyShift = true;
            _staticShift = where(firstFailure, diagonalScale.Times(_limits.StaticRegularization),
                _kkt.FixedRegularization is null ? _staticShift : where(failed, _staticShift.Times(100L), _staticShift));
            var bump = _kkt.FixedRegularization is null ? failed & ~firstFailure : zeros_like(failed);
            _rho = where(bump, _rho.Times(100L), _rho);
            _deltaIneq = where(bump, _deltaIneq.Times(100L), _deltaIneq);
            if (_kkt.FixedRegularization is null) _delta = _deltaIneq;
            _regFloor = where(bump, minimum(_regFloor.Times(10L), _regFloor.FullLike(_tol.Absolute)), _regFloor);
            parameters = new KktParameters(_rho, _delta, _m > 0 ? InequalityWeights() : parameters.W);
            failed = Failed(Factor(parameters));
            anyFailed = HostMask.Any(failed);
        }
        if (anyFailed) SetStatus(failed, SolverStatus.NumericalError);
        return (parameters, anyFailed);
    }

    /// <summary>Factorises Φ for <paramref name="parameters"/> with the current static shift; (B,) true where it failed.</summary>
    private Tensor Factor(KktParameters parameters)
    {
        using var phase = PhaseTimer.Measure(_kkt.FactorisationPhase, _status.size(0));
        return _kkt.Factor(parameters, _staticShift);
    }

    /// <summary>
    /// Refinement of the KKT solves, per item: none while the factorised operator is exact; <see cref="RefinementStepsAfterShift"/>
    /// steps for the items whose factorisation needed a static shift (PIQP's iterative refinement); Items is null when no item is refined.
    /// </summary>
    private (int Steps, Tensor? Items) Refinement => _anyShift ? (RefinementStepsAfterShift, _staticShift.NotEqualTo(0.0)) : (0, null);

    /// <summary>
    /// Mehrotra predictor-corrector step with separate primal and dual step lengths. The Schur form on the CPU takes
    /// it in one per-item kernel (<see cref="MehrotraStepKernel"/>: the same steps) for the items whose solves need no refinement.
    /// </summary>
    private QpIterate CorrectorStep(KktParameters op, (Tensor Rx, Tensor Ry, Tensor Rz) reg)
    {
        var residuals = new KktVector(reg.Rx, reg.Ry, reg.Rz);
        var (steps, refined) = Refinement;
        if (_kkt is not InequalitySchurKktSolver { UsesKernels: true } schur) return BatchedCorrectorStep(_kkt, op, _it, residuals, _mu, steps, refined);
        QpIterate step;
        using (PhaseTimer.Measure("step kernel (solves, line search)", _status.size(0)))
            step = schur.MehrotraStep(_it, residuals, _mu, Tau);
        // Items with a static shift take the refined batched step, as they would alone; the others keep the kernel's.
        return refined is null ? step : BatchedCorrectorStep(_kkt, op, _it, residuals, _mu, steps, refined).Where(refined, step);
    }

    /// <summary>
    /// The predictor-corrector step as batched tensor operations: from <paramref name="it"/>, with the factorised
    /// operator <paramref name="op"/> of <paramref name="kkt"/>, the regularised residuals and the complementarity
    /// means μ (B).
    /// </summary>
    internal static QpIterate BatchedCorrectorStep(KktSolver kkt, KktParameters op, QpIterate it, KktVector residuals, Tensor mu, int refinementSteps,
        Tensor? refined = null)
    {
        var s = it.S; var z = it.Z;
        long m = s.size(-1);
        var rs = -s * z;
        var affine = SolveNewton(kkt, op, it, residuals, rs, refinementSteps, refined);
        var alphaS = NonnegativeOrthant.StepToBoundary(s, affine.S, 1).Times(Tau);
        var alphaZ = NonnegativeOrthant.StepToBoundary(z, affine.Z, 1).Times(Tau);
        var affineComplementarity = Batched.Dot(s.Plus(Batched.PerItem(alphaS) * affine.S), z.Plus(Batched.PerItem(alphaZ) * affine.Z));
        var ratio = affineComplementarity / mu.Times(m);
        var sigma = ratio.clamp(ScalarSafeOperations.Zero, ScalarSafeOperations.One).Power(3.0);

        var rsCorrected = (rs - affine.S * affine.Z).Plus(Batched.PerItem(sigma * mu));
        var step = SolveNewton(kkt, op, it, residuals, rsCorrected, refinementSteps, refined);
        var alphaPrimal = Batched.PerItem(NonnegativeOrthant.StepToBoundary(s, step.S, 1).Times(Tau));
        var alphaDual = Batched.PerItem(NonnegativeOrthant.StepToBoundary(z, step.Z, 1).Times(Tau));
        return new QpIterate(
            it.X.Plus(alphaPrimal * step.X),
            it.Y.Plus(alphaDual * step.Y),
            z.Plus(alphaDual * step.Z),
            s.Plus(alphaPrimal * step.S));
    }

    /// <summary>Without inequalities the Newton step of the proximal subproblem is taken in full.</summary>
    private QpIterate FullStep(KktParameters op, (Tensor Rx, Tensor Ry, Tensor Rz) reg)
    {
        var (steps, refined) = Refinement;
        var d = _kkt.Solve(op, new KktVector(reg.Rx, reg.Ry, reg.Rz), steps, refined);
        return new QpIterate(_it.X.Plus(d.X), _it.Y.Plus(d.Y), _it.Z, _it.S);
    }

    /// <summary>
    /// Solves the Newton system of the regularised KKT conditions with complementarity right-hand side
    /// <paramref name="rs"/> (S dz + Z ds = rs): the condensed system has rz − rs/z in its last block and
    /// ds = (rs − s∘dz)/z.
    /// </summary>
    private static QpIterate SolveNewton(KktSolver kkt, KktParameters op, QpIterate it, KktVector residuals, Tensor rs, int refinementSteps, Tensor? refined)
    {
        var rhs = new KktVector(residuals.X, residuals.Y, residuals.Z - rs / it.Z);
        var d = kkt.Solve(op, rhs, refinementSteps, refined);
        var ds = (rs - it.S * d.Z) / it.Z;
        return new QpIterate(d.X, d.Y, d.Z, ds);
    }

    /// <summary>
    /// PIQP's regularisation update (<see cref="RegularizationUpdate"/>), then the proximal centres follow the
    /// accepted steps that improved the matching residual. The inequality δ is adaptive in both KKT forms; ρ and
    /// the equality δ only in the primal form (the Schur form's factorisation of H is bound to them).
    /// </summary>
    private void UpdateRegularization(Tensor accepted, int iter, Tensor muBefore, Tensor primalProxInf, Tensor? dualProxInf)
    {
        using var phase = PhaseTimer.Measure("regularisation update", accepted.size(0));
        var settings = new RegularizationUpdate.Settings(iter, _m > 0, _tol.Absolute, _tol.Relative, _limits.FinetuneRegularizationFloor,
            InfeasibilityThreshold, SuspectedInfeasibilityShrink);
        RegularizationUpdate.Inputs inputs;
        if (_res.MeasureTable is { } table && _prevTable is not null)
            inputs = RegularizationUpdate.Inputs.FromTables(accepted, table, _prevTable, muBefore, _mu, primalProxInf, dualProxInf, _regFloor);
        else
        {
            var (prevPrimal, prevDual) = PreviousColumns();
            inputs = new RegularizationUpdate.Inputs(accepted, _res.Norms, prevPrimal, prevDual, muBefore, _mu, primalProxInf, dualProxInf, _regFloor);
        }
        var update = RegularizationUpdate.Apply(new RegularizationUpdate.State(_rho, _deltaIneq, _noPrimalUpdate, _noDualUpdate), inputs, settings);
        (_rho, _deltaIneq, _noPrimalUpdate, _noDualUpdate) = (update.Next.Rho, update.Next.DeltaIneq, update.Next.NoPrimalUpdate, update.Next.NoDualUpdate);
        _maxStallCount = update.MaxStallCount;
        if (_kkt.FixedRegularization is null) _delta = _deltaIneq;

        _xi = Follow(update.HostMovePrimalCentre, () => update.MovePrimalCentre, _it.X, _xi);
        // With the equality δ fixed (Schur form), the equality residual can only fall through the centre's moves
        // (method of multipliers with penalty 1/δ), so that centre follows every accepted step; PIQP's conditional
        // move would freeze the residual at δ‖y − λ‖ after one step without a 5 % gain.
        _lambda = _kkt.FixedRegularization is null ? Follow(update.HostMoveDualCentres, () => update.MoveDualCentres, _it.Y, _lambda)
            : Follow(accepted, _it.Y, _lambda);
        _nu = Follow(update.HostMoveDualCentres, () => update.MoveDualCentres, _it.Z, _nu);
    }

    /// <summary>
    /// <see cref="Follow(Tensor, Tensor, Tensor)"/> with the moves decided on the host when <paramref name="hostMove"/>
    /// is given (then the mask <paramref name="move"/> is made only when the items differ).
    /// </summary>
    private static Tensor Follow(bool[]? hostMove, Func<Tensor> move, Tensor point, Tensor centre)
    {
        if (hostMove is not null && Array.TrueForAll(hostMove, m => m)) return point;
        if (hostMove is not null && !Array.Exists(hostMove, m => m)) return centre;
        return Follow(move(), point, centre);
    }

    /// <summary>
    /// The centre per item: <paramref name="point"/> ((B) or (B,k)) where <paramref name="move"/> (B) holds, else <paramref name="centre"/>.
    /// When the host sees that every item moves or none does (always at B = 1), the result is the point or the centre itself.
    /// </summary>
    private static Tensor Follow(Tensor move, Tensor point, Tensor centre)
    {
        if (HostMask.OnHost(move) && HostMask.All(move)) return point;
        if (HostMask.OnHost(move) && !HostMask.Any(move)) return centre;
        return where(point.dim() > move.dim() ? move.unsqueeze(-1) : move, point, centre);
    }

    /// <summary>
    /// Items of <paramref name="mask"/> still running (out of iterations) or failed numerically end by the shared rule
    /// (<see cref="StatusRule.Finish(Tensor, long, Tensor, Tensor, Tensor)"/>): solved, inaccurate or out of iterations.
    /// </summary>
    private void Finish(Tensor mask)
    {
        var unsolved = mask & (RunningMask() | _status.EqualTo((long)SolverStatus.NumericalError));
        // The rule changes only the statuses of such items.
        if (!HostMask.Any(unsolved)) return;
        var check = SolutionCheck(null);
        _checkRatio = where(unsolved, check.WorstRatio(_tol), _checkRatio);
        _status = StatusRule.Finish(_status, Running, mask, check.Meets(_tol), check.Meets(_tol, _options.InaccurateToleranceFactor));
    }

    /// <summary>
    /// Checks the returned points of the items in <paramref name="mask"/> (<see cref="StatusRule.Check"/>): those
    /// meeting the tolerance end Solved; the others end Inaccurate where <paramref name="giveUp"/> holds (always, when
    /// null) and they meet the tolerance × <see cref="QpSolverOptions.InaccurateToleranceFactor"/>; the rest run on.
    /// </summary>
    private void SettleByCheck(Tensor mask, Func<SolutionResiduals, Tensor>? giveUp)
    {
        if (HostMask.OnHost(mask) && !HostMask.Any(mask)) return;
        // A host mask of the whole working set (always at B = 1) checks it without selecting and scattering.
        var which = HostMask.OnHost(mask) && HostMask.All(mask) ? null : mask.nonzero().squeeze(-1);
        if (which is not null && which.size(0) == 0) return;
        using var phase = PhaseTimer.Measure("solution check", which?.size(0) ?? mask.size(0));
        var check = SolutionCheck(which);
        var (met, inaccurate) = StatusRule.Check(check.Meets(_tol), check.Meets(_tol, _options.InaccurateToleranceFactor), giveUp?.Invoke(check));
        Tensor Scatter(Tensor values) => which is null ? values : zeros_like(mask).index_copy(0, which, values);
        _checkRatio = which is null ? check.WorstRatio(_tol) : _checkRatio.index_copy(0, which, check.WorstRatio(_tol));
        SetStatus(Scatter(met), SolverStatus.Solved);
        SetStatus(Scatter(inaccurate), SolverStatus.Inaccurate);
    }

    /// <summary>
    /// Every <see cref="ProgressWindow"/> iterations: the items of <paramref name="running"/> whose worst measure
    /// (relative to its tolerance) did not halve over the window; they have reached what their arithmetic allows.
    /// </summary>
    private Tensor StalledItems(Tensor running)
    {
        var ratio = _res.Norms.WorstRatio(_tol);
        var stalled = running & (ratio > _windowRatio.Times(0.5));
        _windowRatio = ratio;
        return stalled;
    }

    /// <summary>The returned point's residuals for the working items at <paramref name="which"/> (positions in the working set; null: all of them).</summary>
    private SolutionResiduals SolutionCheck(Tensor? which)
    {
        var it = which is null ? _it : _it.Select(which);
        var scaling = which is null ? _scaling : _scaling.Select(which);
        return SolutionResiduals.Evaluate(_problem, scaling.UnscalePrimal(it.X), scaling.UnscaleInequalityDual(it.Z),
            scaling.UnscaleEqualityDual(it.Y), which is null ? _rows : _rows.index_select(0, which));
    }

    private void SetStatus(Tensor mask, SolverStatus status, bool overwrite = false)
    {
        if (HostMask.OnHost(mask) && !HostMask.Any(mask)) return;
        var target = overwrite ? mask : mask & RunningMask();
        _status = where(target, _status.FullLike((long)status), _status);
    }

    /// <summary>
    /// (B,) status = running. Status tensors are replaced, never changed in place, so the mask is recomputed only
    /// when <see cref="_status"/> is a new tensor.
    /// </summary>
    private Tensor RunningMask()
    {
        if (!ReferenceEquals(_runningOf, _status)) (_runningOf, _running) = (_status, _status.EqualTo(Running));
        return _running!;
    }

    private Tensor ComplementarityMean(QpIterate it) =>
        _m > 0 ? Batched.Dot(it.S, it.Z).DividedBy(_m) : zeros_like(_rho);

    private IEnumerable<IDisposable> StateTensors()
    {
        var tensors = new List<IDisposable?>
        {
            _it?.X, _it?.Y, _it?.Z, _it?.S, _xi, _lambda, _nu, _rho, _delta, _deltaIneq, _regFloor, _staticShift,
            _noPrimalUpdate, _noDualUpdate, _mu, _status, _running, _iterations, _prevPrimal, _prevDual, _prevTable, _windowRatio, _checkRatio,
            _rows, _final?.X, _final?.Y, _final?.Z, _final?.S, _finalStatus, _finalIterations, _finalCheckRatio,
        };
        // DisposeScope.DisposeEverythingBut adopts whatever it keeps, so the full-batch data must be listed too.
        return tensors.Where(t => t is not null).Concat(_res?.Tensors() ?? []).Concat(_norm?.Tensors() ?? []).Concat(_kkt.Tensors()).Concat(_fullKkt.Tensors())
            .Concat(_qp.Tensors()).Concat(new[] { _scaling.D, _scaling.EA, _scaling.EG })
            .Concat(_fullQp.Tensors()).Concat(new[] { _fullScaling.D, _fullScaling.EA, _fullScaling.EG })
            .Concat(_problem.Tensors())!;
    }
}

/// <summary>
/// What the interior-point method hands back: final scaled iterate, per-item status and iterations, the worst
/// measure / limit of the last check of each item's returned point (+∞ where none was made), and the KKT solver.
/// </summary>
internal sealed record IpmResult(QpIterate Iterate, Tensor Status, Tensor Iterations, Tensor CheckRatio, KktSolver Kkt)
{
    /// <summary>This result with the items at <paramref name="index"/> (1-D int64 batch positions) replaced by those of <paramref name="part"/>; the KKT solver stays.</summary>
    public IpmResult Overwrite(Tensor index, IpmResult part) => this with
    {
        Iterate = part.Iterate.ScatterInto(Iterate, index),
        Status = Status.index_copy(0, index, part.Status),
        Iterations = Iterations.index_copy(0, index, part.Iterations),
        CheckRatio = CheckRatio.index_copy(0, index, part.CheckRatio),
    };

    /// <summary>This result (of a subset) placed at <paramref name="index"/> in a batch of <paramref name="batch"/> items; the other items are zero.</summary>
    public IpmResult Expand(Tensor index, long batch)
    {
        Tensor Zeros(Tensor t) => zeros(t.shape.Skip(1).Prepend(batch).ToArray(), t.dtype, t.device);
        var empty = new IpmResult(new QpIterate(Zeros(Iterate.X), Zeros(Iterate.Y), Zeros(Iterate.Z), Zeros(Iterate.S)), Zeros(Status), Zeros(Iterations),
            Zeros(CheckRatio), Kkt);
        return empty.Overwrite(index, this);
    }
}
