using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;
using DiffOpt.Qp;

namespace DiffOpt.Cones;

/// <summary>
/// The homogeneous interior-point method of <see cref="HomogeneousInteriorPoint"/> for one batch item on the CPU, in
/// float64 arrays: the same start, Mehrotra predictor–corrector steps (<see cref="HomogeneousNewton"/>), step search
/// and stopping tests, with the reduced KKT system of <see cref="ItemKkt"/> instead of the dense LU of the full one.
/// Runs to completion for its item (no batch-wide synchronisation), so items can be solved in parallel.
/// </summary>
internal sealed class HomogeneousItemSolver
{
    private ItemProgram _data;
    private readonly KernelCone[] _cones;
    private readonly KernelExponentialCone[] _exponential;
    private readonly int _degree, _n, _m, _triples;
    private readonly IItemKkt _kkt;
    private readonly ItemRows _rows;
    private readonly ItemMeasures _measures;
    private readonly ItemPoint _point, _trial, _affine, _combined, _uncorrected, _best;
    private readonly double[] _x2, _z2, _gradient, _rx, _rz, _dx, _dz, _shift, _top, _bottom, _x, _y, _s;
    private double _curvature, _lastStep;
    private bool _lastCentring;

    /// <summary>
    /// The running point's <see cref="Proximity"/> once known (NaN before): the step search computes it for the trial
    /// point it accepts, whose exponential rows are the next point's (the same sums), so it is not formed again.
    /// </summary>
    private double _pointProximity = double.NaN;

    /// <summary>The proximity of the trial point <see cref="StepLength"/> last accepted (NaN when it did not test one).</summary>
    private double _acceptedProximity = double.NaN;

    /// <summary>Prepares the solver for one item; with <paramref name="sparse"/> its KKT systems are sparse (<see cref="SparseItemKkt"/>).</summary>
    public HomogeneousItemSolver(ItemProgram data, KernelCone[] cones, SolverTolerances tolerances, SparseKktPattern? sparse = null)
    {
        _data = data;
        _n = data.Variables;
        _m = data.Rows;
        _cones = cones;
        _exponential = _cones.OfType<KernelExponentialCone>().ToArray();
        _triples = _exponential.Sum(c => c.Rows / 3);
        _degree = _cones.Sum(c => c.Degree);
        _kkt = sparse is null ? new ItemKkt(_cones, _n, _m) : new SparseItemKkt(sparse, _cones);
        _rows = new ItemRows(_m, (_kkt as ItemKkt)?.Rows);
        _rows.Bind(data);
        _measures = new ItemMeasures(_m, _n);
        _measures.Bind(data, tolerances);
        (_point, _trial, _affine, _combined, _uncorrected, _best) = (new(_n, _m), new(_n, _m), new(_n, _m), new(_n, _m), new(_n, _m),
            new(_n, _m));
        (_x2, _gradient, _rx, _dx, _top, _x) = (new double[_n], new double[_n], new double[_n], new double[_n], new double[_n], new double[_n]);
        (_z2, _rz, _dz, _shift, _bottom, _y, _s) = (new double[_m], new double[_m], new double[_m], new double[_m], new double[_m],
            new double[_m], new double[_m]);
    }

    /// <summary>The kernel cones this solver scales (in row order).</summary>
    public KernelCone[] Cones => _cones;

    /// <summary>
    /// Rebinds this solver (with its cones and buffers) to another item of the same shape, cones and KKT path, so that
    /// a batch reuses one solver per thread (<see cref="ItemWorkspace"/>) instead of allocating one per item.
    /// </summary>
    public void Reset(ItemProgram data, SolverTolerances tolerances)
    {
        if (data.Rows != _m || data.Variables != _n) throw new ArgumentException("The item's shape differs from the solver's.", nameof(data));
        _data = data;
        _kkt.Reset();
        _rows.Bind(data);
        _measures.Bind(data, tolerances);
    }

    /// <summary>
    /// The item's result: the point (x, y, s) of the original program or a certificate, status, iterations, and the
    /// residual measures of the point as the caller receives it (primal, dual, gap and their normalisers).
    /// </summary>
    public sealed record Outcome(double[] X, double[] Y, double[] S, SolverStatus Status, int Iterations, double[] Measures);

    /// <summary>The measures of <paramref name="outcome"/>'s point after rounding it to float32 when <paramref name="single"/>.</summary>
    public Outcome Measured(Outcome outcome, bool single)
    {
        double[] Round(double[] v) => single ? v.Select(x => (double)(float)x).ToArray() : v;
        var r = _measures.Measure(Round(outcome.X), Round(outcome.Y), Round(outcome.S));
        return outcome with { Measures = [r.Primal, r.Dual, r.Gap, r.PrimalScale, r.DualScale, r.GapScale] };
    }

    /// <summary>
    /// Runs the method from the standard start (or <paramref name="warm"/>) for at most <paramref name="maxIterations"/>
    /// iterations; once solved, up to <paramref name="polish"/> more iterations, each kept only if the point still counts
    /// as solved (<see cref="ConeProgramSolverOptions.PolishIterations"/>). With exponential cones the polishing
    /// iterations are centring steps (<see cref="Iterate"/>, <see cref="ConeProgramSolverOptions.ExponentialPolishIterations"/>).
    /// </summary>
    public Outcome Solve(int maxIterations, double inaccurateFactor, ItemPoint? warm = null, int polish = 0)
    {
        if (warm is null) Start(_point);
        else _point.CopyFrom(warm);
        _pointProximity = double.NaN;
        SolverStatus? status = null;
        int iterations = 0, polished = 0, attempts = 0;
        double bestRatio = double.PositiveInfinity;
        _lastCentring = false;
        double[]? certificateY = null, rayX = null, rayS = null;
        ItemPoint? solved = null;   // the last solved point while polishing
        for (int iteration = 0; ; iteration++)
        {
            Unscale(_point, _x, _y, _s);
            status = _measures.Check(_x, _y, _s, _point.Tau, _data.CostScale, out certificateY, out rayX, out rayS);
            if (status is null && _measures.LastWorstRatio < bestRatio)
            {
                bestRatio = _measures.LastWorstRatio;
                _best.CopyFrom(_point);
            }
            bool polishing = solved is not null;
            if (polishing && status != SolverStatus.Solved)
            {
                _point.CopyFrom(solved!);
                _pointProximity = double.NaN;
                status = SolverStatus.Solved;
                break;
            }
            if (polishing)
            {
                // With exponential cones a short step leaves most of the offset along the curved boundary in place, so
                // only steps of at least PolishCountsAbove spend the budget, within PolishAttempts·polish steps.
                attempts++;
                if (_exponential.Length == 0 || _lastStep >= PolishCountsAbove) polished++;
            }
            if (status == SolverStatus.Solved) (solved ??= new ItemPoint(_n, _m)).CopyFrom(_point);
            bool done = polishing
                ? polished == polish || attempts == PolishAttempts * polish
                : status is not null && (status != SolverStatus.Solved || polish == 0);
            if (done || iteration == maxIterations) break;
            iterations++;
            bool centring = solved is not null && _exponential.Length > 0;
            // With exponential cones a stalled step is retried once with the other scaling (Clarabel likewise switches
            // to the dual scaling when the primal–dual step gets too short; near the optimum an ill-centred point's
            // centring steps can shrink to 0 while the primal–dual direction still makes progress).
            if (!Iterate(centring) && (_exponential.Length == 0 || !Iterate(polishing: !centring)))
            {
                if (solved is not null)
                {
                    _point.CopyFrom(solved);
                    _pointProximity = double.NaN;
                    status = SolverStatus.Solved;
                    break;
                }
                // A stalled item ends at the running point closest to the tolerances, not at the last one: near the
                // accuracy the KKT solves allow, a short step can raise the residuals by orders of magnitude before the
                // iteration fails (Clarabel likewise restores its previous iterate on insufficient progress).
                if (double.IsFinite(bestRatio)) _point.CopyFrom(_best);
                _pointProximity = double.NaN;
                status = SolverStatus.NumericalError;
                break;
            }
        }
        return Finish(status, iterations, inaccurateFactor, certificateY, rayX, rayS);
    }

    /// <summary>The warm start point for a previous (x, y, s) of this item (<see cref="WarmStartPoint"/>).</summary>
    public ItemPoint WarmPoint(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> s, double margin) =>
        WarmStartPoint.Create(_cones, _data.D, _data.E, _data.CostScale, x, y, s, margin);

    /// <summary>x = Ex̂/τ, y = Dẑ/(στ), s = ŝ/(Dτ).</summary>
    private void Unscale(ItemPoint point, double[] x, double[] y, double[] s)
    {
        for (int j = 0; j < _n; j++) x[j] = _data.E[j] * point.X[j] / point.Tau;
        for (int i = 0; i < _m; i++)
        {
            y[i] = _data.D[i] * point.Z[i] / _data.CostScale / point.Tau;
            s[i] = point.S[i] / _data.D[i] / point.Tau;
        }
    }

    private Outcome Finish(SolverStatus? status, int iterations, double inaccurateFactor, double[]? certificateY, double[]? rayX,
        double[]? rayS)
    {
        Unscale(_point, _x, _y, _s);
        var final = _measures.Finish(status, _x, _y, _s, inaccurateFactor);
        return final switch
        {
            SolverStatus.PrimalInfeasible => new(new double[_n], certificateY!, new double[_m], final, iterations, []),
            SolverStatus.DualInfeasible => new(rayX!, new double[_m], rayS!, final, iterations, []),
            _ => new((double[])_x.Clone(), (double[])_y.Clone(), (double[])_s.Clone(), final, iterations, []),
        };
    }

    /// <summary>
    /// One predictor–corrector step (<see cref="HomogeneousInteriorPoint"/>'s Iterate, with its third-order correction
    /// of the exponential cones and the fallback to the uncorrected direction); false where it fails. A
    /// <paramref name="polishing"/> step is a Newton step towards the central path at σ = <see cref="PolishCentering"/> (1 after a short one)
    /// without a predictor, with the exponential cones' dual scaling (the exact Jacobian of s + μ∇f*(z) = 0):
    /// near the optimum an exponential triple's x can sit off its optimum by about √(μ·x) along the curved boundary
    /// while the measures already meet the tolerances, and recentring removes that offset.
    /// </summary>
    private bool Iterate(bool polishing)
    {
        var p = _point;
        foreach (var cone in _exponential) cone.DualScaling = polishing;
        for (int k = 0; k < _cones.Length; k++)
        {
            var cone = _cones[k];
            if (!cone.Scale(p.S.AsSpan(cone.Offset, cone.Rows), p.Z.AsSpan(cone.Offset, cone.Rows))) return false;
        }
        if (!_kkt.Factor(_data)) return false;
        for (int j = 0; j < _n; j++) _top[j] = -_data.ScaledC[j];
        if (!_kkt.Solve(_top, _data.ScaledB, _x2, _z2)) return false;
        // ξ = x/τ, gradient ĉ + 2P̂ξ, curvature ξᵀP̂ξ; residuals rx, rz, rτ.
        double tau = p.Tau, xPx = 0;
        _curvature = 0;
        bool native = _kkt.Native;
        if (_data.ScaledSparseP is { } sparseP)
            for (int j = 0; j < _n; j++) _rx[j] = sparseP.Dot(j, p.X);
        else if (_data.ScaledP is null) Array.Clear(_rx);
        else DenseProducts.Multiply(_data.ScaledP, _n, _n, transpose: false, 1, p.X, 0, _rx, native);
        for (int j = 0; j < _n; j++)
        {
            double pxj = _rx[j];
            _gradient[j] = _data.ScaledC[j] + 2 * pxj / tau;
            _curvature += p.X[j] / tau * (pxj / tau);
            xPx += p.X[j] * pxj;
            _rx[j] = pxj + _data.ScaledC[j] * tau;
        }
        _rows.MultiplyBoth(p.X, _rz, p.Z, _rx);
        for (int i = 0; i < _m; i++) _rz[i] += p.S[i] - _data.ScaledB[i] * tau;
        double rtau = p.Kappa + SpanKernels.Dot(_data.ScaledC, p.X) + SpanKernels.Dot(_data.ScaledB, p.Z) + xPx / tau;
        double tauKappa = tau * p.Kappa;

        // After a short centring step the point is far from the central path, so the next one recentres at the same μ
        // (σ = 1) before μ is halved again (measured on exp_b64_n20: halving steps of 0.107, 0.014, then 0 and a stall).
        double sigma = polishing && _lastCentring && _lastStep < PolishCountsAbove ? 1 : PolishCentering, affineStep = 0;
        if (polishing) _affine.Clear();
        else
        {
            if (!Direction(_rx, _rz, 1, rtau, p.S, tauKappa, _affine)) return false;
            affineStep = StepLength(_affine, combined: false);
            sigma = Math.Pow(1 - affineStep, 3);
        }
        double sigmaMu = sigma * (SpanKernels.Dot(p.S, p.Z) + tauKappa) / (_degree + 1);
        double kappaShift = tauKappa + _affine.Tau * _affine.Kappa - sigmaMu;
        // A corrected direction that cannot be computed counts as a zero step, as on the tensor path.
        bool solved = Combined(rtau, sigma, sigmaMu, kappaShift, affineStep, _combined);
        double step = solved ? StepLength(_combined, combined: true) : 0;
        double proximity = solved ? _acceptedProximity : double.NaN;
        if (_exponential.Length > 0 && affineStep > 0 && !(step >= HomogeneousInteriorPoint.CorrectorFallbackStep)
            && Combined(rtau, sigma, sigmaMu, kappaShift, 0, _uncorrected))
        {
            double uncorrected = StepLength(_uncorrected, combined: true);
            if (!solved || uncorrected > step)
            {
                _combined.CopyFrom(_uncorrected);
                step = uncorrected;
                proximity = _acceptedProximity;
                solved = true;
            }
        }
        if (!solved) return false;
        (_lastStep, _lastCentring) = (step, polishing);
        _trial.SetStep(p, _combined, step);
        if (!_trial.IsFinite() || !(step >= HomogeneousInteriorPoint.MinimumStep) || !(_trial.Tau > 0) || !(_trial.Kappa > 0)) return false;
        p.CopyFrom(_trial);
        _pointProximity = proximity;
        return true;
    }

    /// <summary>
    /// The combined direction for σ, with the exponential cones' third-order term weighted by <paramref name="correction"/>
    /// (<see cref="KernelExponentialCone.CombinedShift"/>).
    /// </summary>
    private bool Combined(double rtau, double sigma, double sigmaMu, double kappaShift, double correction, ItemPoint result)
    {
        var p = _point;
        foreach (var cone in _exponential) cone.CorrectionWeight = correction;
        foreach (var cone in _cones)
        {
            var block = (cone.Offset, cone.Rows);
            cone.CombinedShift(p.S.AsSpan(block.Offset, block.Rows), p.Z.AsSpan(block.Offset, block.Rows),
                _affine.S.AsSpan(block.Offset, block.Rows), _affine.Z.AsSpan(block.Offset, block.Rows), sigmaMu,
                _shift.AsSpan(block.Offset, block.Rows));
        }
        return Direction(_rx, _rz, 1 - sigma, rtau, _shift, kappaShift, result);
    }

    /// <summary>
    /// The direction for right-hand sides (keep·rx, keep·rz, keep·rτ, ds, dκ) (<see cref="HomogeneousNewton.Direction"/>).
    /// </summary>
    private bool Direction(double[] rx, double[] rz, double keep, double rtau, double[] ds, double dkappa, ItemPoint result)
    {
        var p = _point;
        for (int j = 0; j < _n; j++) _top[j] = -keep * rx[j];
        for (int i = 0; i < _m; i++) _bottom[i] = ds[i] - keep * rz[i];
        if (!_kkt.Solve(_top, _bottom, _dx, _dz)) return false;
        double tau = p.Tau;
        double numerator = -keep * rtau + dkappa / tau - SpanKernels.Dot(_gradient, _dx) - SpanKernels.Dot(_data.ScaledB, _dz);
        double denominator = SpanKernels.Dot(_gradient, _x2) + SpanKernels.Dot(_data.ScaledB, _z2) - _curvature - p.Kappa / tau;
        double dTau = numerator / denominator;
        for (int j = 0; j < _n; j++) result.X[j] = _dx[j] + dTau * _x2[j];
        for (int i = 0; i < _m; i++) result.Z[i] = _dz[i] + dTau * _z2[i];
        // Δs = −keep·rz + Δτ·b̂ − ÂΔx (−ds on the zero cones).
        _rows.Multiply(-1, result.X, result.S);
        foreach (var cone in _cones)
        {
            int end = cone.Offset + cone.Rows;
            if (cone.IsZero)
                for (int i = cone.Offset; i < end; i++) result.S[i] = -ds[i];
            else
                for (int i = cone.Offset; i < end; i++) result.S[i] = result.S[i] - keep * rz[i] + dTau * _data.ScaledB[i];
        }
        result.Tau = dTau;
        result.Kappa = -(dkappa + p.Kappa * dTau) / tau;
        return true;
    }

    /// <summary>The step length along <paramref name="direction"/> (<see cref="HomogeneousInteriorPoint"/>'s StepLength).</summary>
    private double StepLength(ItemPoint direction, bool combined)
    {
        var p = _point;
        _acceptedProximity = double.NaN;
        if (!direction.IsFinite()) return 0;
        double boundary = Math.Min(Ratio(p.Tau, direction.Tau), Ratio(p.Kappa, direction.Kappa));
        foreach (var cone in _cones)
        {
            if (!cone.IsSymmetric || cone.IsZero) continue;
            boundary = Math.Min(boundary, cone.StepToBoundary(p.S.AsSpan(cone.Offset, cone.Rows), direction.S.AsSpan(cone.Offset, cone.Rows)));
            boundary = Math.Min(boundary, cone.StepToBoundary(p.Z.AsSpan(cone.Offset, cone.Rows), direction.Z.AsSpan(cone.Offset, cone.Rows)));
        }
        double alpha = Math.Min(combined ? HomogeneousInteriorPoint.StepFraction * boundary : boundary, 1);
        if (double.IsNaN(alpha)) alpha = 0;
        if (_exponential.Length == 0) return alpha;

        if (combined && double.IsNaN(_pointProximity)) _pointProximity = Proximity(p);
        double? ceiling = combined ? Math.Max(_pointProximity, HomogeneousCones.ExponentialProximityLimit) : null;
        for (int k = 0; k < HomogeneousInteriorPoint.MaxBacktracks; k++)
        {
            TrialRows(direction, alpha);
            if (ExponentialAcceptable(_trial, ceiling)) return alpha;
            alpha *= HomogeneousInteriorPoint.Backtracking;
        }
        TrialRows(direction, alpha);
        return ExponentialAcceptable(_trial, null) ? alpha : 0;
    }

    /// <summary>The trial point's exponential rows of s and z at step α (the only entries the step search reads).</summary>
    private void TrialRows(ItemPoint direction, double alpha)
    {
        foreach (var cone in _exponential) _trial.SetStep(_point, direction, alpha, cone.Offset, cone.Rows);
    }

    private bool ExponentialAcceptable(ItemPoint point, double? ceiling)
    {
        if (ceiling is null)
        {
            foreach (var cone in _exponential)
                if (!cone.InDomains(point.S.AsSpan(cone.Offset, cone.Rows), point.Z.AsSpan(cone.Offset, cone.Rows))) return false;
            return true;
        }
        // The centrality is NaN outside the domains, so this is also the domain test.
        double proximity = Proximity(point);
        if (!(double.IsFinite(proximity) && proximity <= ceiling.Value)) return false;
        _acceptedProximity = proximity;
        return true;
    }

    /// <summary>The mean over exponential triples of the cones' centrality (<see cref="HomogeneousCones.Proximity"/>).</summary>
    private double Proximity(ItemPoint point)
    {
        double total = 0;
        foreach (var cone in _exponential)
            total += cone.Centrality(point.S.AsSpan(cone.Offset, cone.Rows), point.Z.AsSpan(cone.Offset, cone.Rows));
        return total / _triples;
    }

    /// <summary>
    /// σ of the polishing steps: halves μ while recentring (measured on 64 entropy programs: σ = 0.1–0.2 left more
    /// items off centre; σ = 1 keeps the gap, so a step that raises a borderline gap is discarded).
    /// </summary>
    internal const double PolishCentering = 0.5;

    /// <summary>
    /// The shortest exponential-cone polishing step that counts against the polish budget, and below which the next
    /// centring step recentres (σ = 1). On the diffcp peer's exp_b64_n20 case (gen_cones.py, seed 0) 10 % of the centring
    /// steps were shorter than 0.33; counting them left items up to 4e-5 from the optimum (1.6e-6 after this rule).
    /// </summary>
    internal const double PolishCountsAbove = 0.5;

    /// <summary>The most polishing steps taken, as a multiple of the budget.</summary>
    internal const int PolishAttempts = 3;

    /// <summary>−v/dv where dv &lt; 0, +∞ elsewhere.</summary>
    private static double Ratio(double v, double dv) => dv < 0 ? -v / dv : double.PositiveInfinity;

    /// <summary>x = 0, s = z = e, τ = κ = 1.</summary>
    private void Start(ItemPoint point)
    {
        Array.Clear(point.X);
        foreach (var cone in _cones) cone.Unit(point.S.AsSpan(cone.Offset, cone.Rows));
        point.S.CopyTo(point.Z, 0);
        point.Tau = point.Kappa = 1;
    }

    /// <summary>
    /// The kernel cones of a cone list, in row order; for the sparse KKT form (<see cref="SparseItemKkt"/>) when
    /// <paramref name="sparseKkt"/>, whose exponential cones form no Fᵀ (<see cref="KernelExponentialCone.HalfInverseUsed"/>).
    /// </summary>
    internal static KernelCone[] Create(IReadOnlyList<Cone> cones, bool sparseKkt = false)
    {
        var result = new KernelCone[cones.Count];
        int offset = 0;
        for (int k = 0; k < cones.Count; k++)
        {
            result[k] = cones[k] switch
            {
                ZeroCone zero => new KernelZeroCone(offset, zero.Rows),
                NonnegativeCone nonnegative => new KernelNonnegativeCone(offset, nonnegative.Rows),
                SecondOrderCone secondOrder => new KernelSecondOrderCone(offset, secondOrder.Rows),
                PsdCone psd => new KernelPsdCone(offset, psd.Order),
                ExponentialCone exponential => new KernelExponentialCone(offset, exponential.Count, formsHalfInverse: !sparseKkt),
                _ => throw new ArgumentException($"No CPU kernel for cone {cones[k]}.", nameof(cones)),
            };
            offset += cones[k].Rows;
        }
        return result;
    }
}
