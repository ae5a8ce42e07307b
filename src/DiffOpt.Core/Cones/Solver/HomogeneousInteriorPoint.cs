using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A batched primal–dual interior-point method on the homogeneous embedding (Goulart and Chen, "Clarabel", 2024),
/// in float64 on the data's device: Ruiz equilibration (<see cref="ConeEquilibration"/>), then per iteration
/// Nesterov–Todd scaling of the symmetric cones and the Dahl–Andersen scaling of the exponential cones, one dense
/// reduced KKT factorisation per item (<see cref="HomogeneousKkt"/>), a Mehrotra predictor–corrector step
/// (<see cref="HomogeneousNewton"/>, <see cref="HomogeneousCones"/>) and per-item stopping tests on the original data
/// (<see cref="HomogeneousTermination"/>). Items finish independently: a finished item's iterate stops changing.
/// </summary>
internal static class HomogeneousInteriorPoint
{
    /// <summary>Fraction of the step to the boundary taken by the combined step (Clarabel's max_step_fraction).</summary>
    internal const double StepFraction = 0.99;

    /// <summary>Factor by which a step is shortened while an exponential cone rejects it.</summary>
    internal const double Backtracking = 0.8;

    /// <summary>Shortenings at most per step.</summary>
    internal const int MaxBacktracks = 60;

    /// <summary>
    /// A combined step shorter than this ends the item (as NumericalError, or Inaccurate when close): the iteration has
    /// stalled (Clarabel's min_terminate_step_length plays the same role).
    /// </summary>
    internal const double MinimumStep = 1e-8;

    /// <summary>
    /// A combined step shorter than this with the exponential cones' third-order correction is compared with the step
    /// along the uncorrected direction, and the longer one is taken. Measured on entropy programs: near μ ≈ 1e-10 the
    /// corrected step can collapse to a few hundredths for tens of iterations (at tolerances below 1e-8), which the
    /// uncorrected direction avoids; above 0.5 the comparison brings no further gain.
    /// </summary>
    internal const double CorrectorFallbackStep = 0.5;

    private const long Running = -1;

    /// <summary>The raw result: float64 tensors, statuses, iterations and measures of the returned points.</summary>
    internal sealed record Result(Tensor X, Tensor Y, Tensor S, SolverStatus[] Status, int[] Iterations, ResidualMeasures Measures);

    /// <summary>
    /// Solves the float64 data <paramref name="data"/> with the tolerances of <paramref name="dtype"/>: with the CPU
    /// kernel (<see cref="HomogeneousKernel"/>, which reads a sparse A as it is) where it serves the data, else with batched
    /// tensor operations on the dense A.
    /// </summary>
    public static Result Solve(ConeProgramData data, ConeProgramSolverOptions options, ScalarType dtype, WarmArrays? warm = null) =>
        HomogeneousKernel.Serves(data.Device) ? HomogeneousKernel.Solve(data, options, dtype, warm) : SolveWithTensors(data, options, dtype, warm);

    /// <summary>The tensor path of <see cref="Solve"/>, for any device (on the dense A: a sparse one is formed densely here).</summary>
    internal static Result SolveWithTensors(ConeProgramData data, ConeProgramSolverOptions options, ScalarType dtype, WarmArrays? warm = null)
    {
        data = data.Dense();
        var tolerances = options.TolerancesFor(dtype);
        var scaled = new ConeEquilibration(data);
        var cones = new HomogeneousCones(data.Cones);
        var termination = new HomogeneousTermination(data, scaled, tolerances);
        var start = warm is null
            ? HomogeneousIterate.Start(cones.InteriorPoint, data.Batch, data.Variables, data.Device)
            : WarmStart(warm, data, scaled);
        var point = start;
        // The running point closest to the tolerances so far, which a stalled item returns (HomogeneousItemSolver.Solve).
        var (best, bestRatio) = (start, ScalarSafeOperations.With(double.PositiveInfinity,
            infinity => full(data.Batch, infinity, dtype: ScalarType.Float64, device: data.Device)));
        var status = ScalarSafeOperations.With(Running, r => full(data.Batch, r, dtype: ScalarType.Int64, device: data.Device));
        var iterations = zeros(data.Batch, dtype: ScalarType.Int64, device: data.Device);
        Tensor? primalCertificate = null, rayX = null, rayS = null;
        for (int iteration = 0; ; iteration++)
        {
            // Each iteration's temporaries (the KKT matrices above all) are freed at its end; what carries over is moved out.
            using var scope = NewDisposeScope();
            SolveCancellation.ThrowIfRequested();
            // Stopping tests, each on the items still running.
            var (x, y, s) = termination.Point(point);
            var running = IsRunning(status);
            var measures = termination.Measure(x, y, s);
            Settle(status, running & termination.Meets(measures), SolverStatus.Solved);
            var (primalProven, certificate) = termination.PrimalInfeasible(point);
            primalCertificate = Settle(status, IsRunning(status) & primalProven, SolverStatus.PrimalInfeasible, certificate, primalCertificate);
            var (dualProven, ray, raySlack) = termination.DualInfeasible(point);
            var newlyUnbounded = IsRunning(status) & dualProven;
            rayX = Settle(status, newlyUnbounded, SolverStatus.DualInfeasible, ray, rayX);
            rayS = Keep(newlyUnbounded, raySlack, rayS);
            running = IsRunning(status);
            var ratio = termination.WorstRatio(measures);
            var improved = running & (ratio < bestRatio);
            bestRatio = where(improved, ratio, bestRatio).MoveToOuterDisposeScope();
            best = point.Where(improved, best).MoveToOuterDisposeScope();
            if (iteration == options.MaxIterations || !running.any().item<bool>()) break;

            iterations.PlusInPlace(running.to(ScalarType.Int64));
            var (next, ok) = Iterate(scaled, cones, start.Where(~running, point), running);
            Settle(status, running & ~ok, SolverStatus.NumericalError);
            point = next.Where(running & ok, point).MoveToOuterDisposeScope();
        }
        var stalled = ScalarSafeOperations.With((long)SolverStatus.NumericalError, status.eq) & bestRatio.isfinite();
        point = best.Where(stalled, point);
        return Finish(termination, point, status, iterations, options, primalCertificate, rayX, rayS, dtype);
    }

    /// <summary>The warm start points (<see cref="WarmStartPoint"/>, computed on the CPU) as a batched iterate on the data's device.</summary>
    private static HomogeneousIterate WarmStart(WarmArrays warm, ConeProgramData data, ConeEquilibration scaled)
    {
        var d = Native.TensorCopy.ToDoubles(scaled.D);
        var e = Native.TensorCopy.ToDoubles(scaled.E);
        var sigma = Native.TensorCopy.ToDoubles(scaled.CostScale);
        int batch = (int)data.Batch, m = (int)data.Rows, n = (int)data.Variables;
        var points = Enumerable.Range(0, batch).Select(i => warm.Point(i, HomogeneousItemSolver.Create(data.Cones),
            d.AsSpan(i * m, m).ToArray(), e.AsSpan(i * n, n).ToArray(), sigma[i])).ToArray();
        Tensor Stack(Func<ItemPoint, double[]> part, int length) =>
            tensor(points.SelectMany(part).ToArray(), dtype: ScalarType.Float64).view(batch, length).to(data.Device);
        Tensor Scalars(Func<ItemPoint, double> part) => tensor(points.Select(part).ToArray(), dtype: ScalarType.Float64).to(data.Device);
        return new HomogeneousIterate(Stack(p => p.X, n), Stack(p => p.S, m), Stack(p => p.Z, m), Scalars(p => p.Tau), Scalars(p => p.Kappa));
    }

    /// <summary>
    /// One predictor–corrector step for every running item; ok (B,) says where it produced a usable point. The
    /// finished items are passed as the start point, where every cone's arithmetic is well defined (a converged
    /// item's s∘z ≈ 0 can make an eigendecomposition fail for the whole batch); their results are ignored.
    /// </summary>
    private static (HomogeneousIterate Next, Tensor Ok) Iterate(ConeEquilibration data, HomogeneousCones cones, HomogeneousIterate point,
        Tensor running)
    {
        var scaling = cones.Scale(point.S, point.Z);
        var kkt = new HomogeneousKkt(data, scaling, running);
        var newton = new HomogeneousNewton(data, kkt, scaling, point, cones.ZeroRows(point.S.device));
        var (rx, rz, rtau) = HomogeneousNewton.Residuals(data, point);
        var tauKappa = point.Tau * point.Kappa;

        var affine = newton.Direction(rx, rz, rtau, point.S, tauKappa);
        var affineStep = StepLength(cones, point, affine, running, combined: false);
        var sigma = ScalarSafeOperations.With(3L, affineStep.SubtractedFrom(1L).pow);
        var sigmaMu = sigma * point.Mu(cones.Degree);

        var kappaShift = tauKappa.Plus(affine.Tau * affine.Kappa) - sigmaMu;
        var keep = sigma.SubtractedFrom(1L).unsqueeze(1);
        HomogeneousIterate Combined(Tensor? correction) => newton.Direction(keep * rx, keep * rz, sigma.SubtractedFrom(1L) * rtau,
            cones.CombinedShift(point.S, point.Z, scaling, affine, sigmaMu, correction), kappaShift);
        bool exponential = cones.Exponential.Count > 0;
        var combined = Combined(exponential ? affineStep : null);
        var step = StepLength(cones, point, combined, running, combined: true);
        var retry = running & step.LessThan(CorrectorFallbackStep) & affineStep.GreaterThan(0L);
        if (exponential && retry.any().item<bool>())
        {
            var uncorrected = Combined(null);
            var uncorrectedStep = StepLength(cones, point, uncorrected, retry, combined: true);
            var better = retry & (uncorrectedStep > step);
            combined = uncorrected.Where(better, combined);
            step = where(better, uncorrectedStep, step);
        }
        var next = point.Step(combined, step);
        return (next, kkt.Usable & next.IsFinite() & ScalarSafeOperations.With(MinimumStep, step.ge) & next.Tau.gt(ScalarSafeOperations.Zero)
            & next.Kappa.gt(ScalarSafeOperations.Zero));
    }

    /// <summary>
    /// The step α ∈ [0, 1] along <paramref name="direction"/>: the largest that keeps s, z in the symmetric cones and
    /// τ, κ ≥ 0 (times <see cref="StepFraction"/> for the combined step), then shortened by <see cref="Backtracking"/>
    /// until every exponential triple is interior (and, for the combined step, near the central path).
    /// </summary>
    private static Tensor StepLength(HomogeneousCones cones, HomogeneousIterate point, HomogeneousIterate direction, Tensor running,
        bool combined)
    {
        var boundary = minimum(cones.SymmetricStep(point.S, direction.S, point.Z, direction.Z),
            minimum(Ratio(point.Tau, direction.Tau), Ratio(point.Kappa, direction.Kappa)));
        var alpha = (combined ? boundary.Times(StepFraction) : boundary).AtMost(1L);
        alpha = where(alpha.isnan(), zeros_like(alpha), alpha);
        if (cones.Exponential.Count == 0) return alpha;

        Tensor? ceiling = combined
            ? maximum(cones.Proximity(point.S, point.Z),
                ScalarSafeOperations.With(HomogeneousCones.ExponentialProximityLimit, limit => full_like(alpha, limit)))
            : null;
        for (int k = 0; k < MaxBacktracks; k++)
        {
            var trial = point.Step(direction, alpha);
            var accepted = cones.ExponentialAcceptable(trial.S, trial.Z, ceiling) | ~running;
            if (accepted.all().item<bool>()) return alpha;
            alpha = where(accepted, alpha, alpha.Times(Backtracking));
        }
        var last = point.Step(direction, alpha);
        return where(cones.ExponentialAcceptable(last.S, last.Z, null), alpha, zeros_like(alpha));
    }

    /// <summary>−v/dv where dv &lt; 0, +∞ elsewhere: the step at which v + α·dv reaches 0.</summary>
    private static Tensor Ratio(Tensor v, Tensor dv) => where(dv.lt(ScalarSafeOperations.Zero), -v / dv,
        ScalarSafeOperations.With(double.PositiveInfinity, infinity => full_like(v, infinity)));

    /// <summary>
    /// The returned points, statuses (with Inaccurate for near misses) and the measures of the points as the caller
    /// receives them (rounded to <paramref name="dtype"/>).
    /// </summary>
    private static Result Finish(HomogeneousTermination termination, HomogeneousIterate point, Tensor status, Tensor iterations,
        ConeProgramSolverOptions options, Tensor? primalCertificate, Tensor? rayX, Tensor? rayS, ScalarType dtype)
    {
        var (x, y, s) = termination.Point(point);
        var measures = termination.Measure(x, y, s);
        status = StatusRule.Finish(status, Running, ones_like(status, ScalarType.Bool), termination.Meets(measures),
            termination.Meets(measures, options.InaccurateToleranceFactor));

        var primal = ScalarSafeOperations.With((long)SolverStatus.PrimalInfeasible, status.eq).unsqueeze(1);
        var dual = ScalarSafeOperations.With((long)SolverStatus.DualInfeasible, status.eq).unsqueeze(1);
        if (primalCertificate is not null)
        {
            y = where(primal, primalCertificate, y);
            x = where(primal, zeros_like(x), x);
            s = where(primal, zeros_like(s), s);
        }
        if (rayX is not null && rayS is not null)
        {
            x = where(dual, rayX, x);
            s = where(dual, rayS, s);
            y = where(dual, zeros_like(y), y);
        }
        var codes = status.cpu().data<long>().ToArray();
        Tensor Rounded(Tensor v) => v.to(dtype).to(ScalarType.Float64);
        return new Result(x, y, s, codes.Select(c => (SolverStatus)c).ToArray(),
            iterations.cpu().data<long>().Select(i => (int)i).ToArray(), termination.Measure(Rounded(x), Rounded(y), Rounded(s)));
    }

    /// <summary>Sets <paramref name="status"/> to <paramref name="value"/> where <paramref name="mask"/>.</summary>
    private static void Settle(Tensor status, Tensor mask, SolverStatus value) =>
        ScalarSafeOperations.With((long)value, code => status.masked_fill_(mask, code));

    /// <summary>Where <paramref name="status"/> still says running.</summary>
    private static Tensor IsRunning(Tensor status) => ScalarSafeOperations.With(Running, status.eq);

    /// <summary>Settles the status and keeps the items' certificate rows.</summary>
    private static Tensor? Settle(Tensor status, Tensor mask, SolverStatus value, Tensor rows, Tensor? kept)
    {
        Settle(status, mask, value);
        return Keep(mask, rows, kept);
    }

    /// <summary>
    /// <paramref name="rows"/> where <paramref name="mask"/>, <paramref name="kept"/> (or zeros) elsewhere; a new tensor
    /// is moved out of the iteration's dispose scope.
    /// </summary>
    private static Tensor? Keep(Tensor mask, Tensor rows, Tensor? kept) =>
        !mask.any().item<bool>() ? kept : where(mask.unsqueeze(1), rows, kept ?? zeros_like(rows)).MoveToOuterDisposeScope();
}
