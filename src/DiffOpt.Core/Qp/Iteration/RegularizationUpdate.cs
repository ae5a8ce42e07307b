using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;

namespace DiffOpt.Qp;

/// <summary>
/// PIQP's regularisation update after a step, per item: where the unregularised residual improved (by 5 %, or to
/// within tolerance), the proximal centre moves and the regularisation shrinks with the complementarity
/// (1 − rate, or 0.1 without inequalities); otherwise a stalled update is counted and it shrinks slowly
/// (1 − 0.666·rate, or 0.5), or by 0.3 where infeasibility is suspected (the proximal term stays above the
/// threshold from the fifth iteration on), so that a diverging iterate sharpens into a Farkas certificate; never
/// below the floor. ρ is updated only in the adaptive form (given a dual proximal measure).
/// The CPU form runs as one loop over the items; the batched tensor form (other devices) takes some forty
/// operations; a test holds them equal.
/// </summary>
internal static class RegularizationUpdate
{
    private const double ImprovementFactor = 0.95;
    private const double SlowShrinkRate = 0.666;

    /// <summary>The constants of one update.</summary>
    internal sealed record Settings(int Iteration, bool HasInequalities, double Absolute, double Relative, double Finetune,
        double InfeasibilityThreshold, double SuspectedInfeasibilityShrink);

    /// <summary>The step's outcome, all (B,): accepted mask, new measures, previous residuals, μ before and after, proximal infeasibility measures, floors.</summary>
    internal sealed record Inputs(Tensor Accepted, ResidualMeasures Norms, Tensor PrevPrimal, Tensor PrevDual, Tensor MuBefore, Tensor Mu,
        Tensor PrimalProxInf, Tensor? DualProxInf, Tensor RegFloor)
    {
        /// <summary>
        /// The inputs with the new and the previous measures given as rows of <see cref="ScaledResidualsKernel"/> tables
        /// (B, <see cref="ScaledResidualsKernel.Measure.Count"/>) of the regularisations' dtype, contiguous on the CPU: the
        /// per-item loop reads them where they are; the batched form takes their columns.
        /// </summary>
        public static Inputs FromTables(Tensor accepted, Tensor measures, Tensor previousMeasures, Tensor muBefore, Tensor mu,
            Tensor primalProxInf, Tensor? dualProxInf, Tensor regFloor) =>
            new(accepted, null!, null!, null!, muBefore, mu, primalProxInf, dualProxInf, regFloor) { Tables = (measures, previousMeasures) };

        /// <summary>The measure tables of <see cref="FromTables"/>, or null when the measures are given as columns.</summary>
        public (Tensor Measures, Tensor Previous)? Tables { get; private init; }

        /// <summary>These inputs with the measures as columns (themselves when they already are).</summary>
        public Inputs WithColumns()
        {
            if (Tables is not var (measures, previous)) return this;
            Tensor Column(Tensor table, ScaledResidualsKernel.Measure m) => table.select(1, (long)m);
            return this with
            {
                Norms = QpResiduals.Columns(measures),
                PrevPrimal = Column(previous, ScaledResidualsKernel.Measure.Primal),
                PrevDual = Column(previous, ScaledResidualsKernel.Measure.Dual),
                Tables = null,
            };
        }
    }

    /// <summary>The regularisations and stall counters (B,); ρ is left as it is when no dual proximal measure is given.</summary>
    internal sealed record State(Tensor Rho, Tensor DeltaIneq, Tensor NoPrimalUpdate, Tensor NoDualUpdate);

    /// <summary>
    /// The updated state, where the primal centre (accepted and dual residual improved) and the dual centres
    /// (accepted and primal residual improved) move, and the largest stall counter of the batch. The CPU form
    /// decides the moves on the host and makes their (B,) masks only when they are read.
    /// </summary>
    internal sealed class Result
    {
        private Tensor? _movePrimal, _moveDual;

        /// <summary>A result with (B,) bool masks of the moves.</summary>
        public Result(State next, Tensor movePrimalCentre, Tensor moveDualCentres, double maxStallCount) =>
            (Next, _movePrimal, _moveDual, MaxStallCount) = (next, movePrimalCentre, moveDualCentres, maxStallCount);

        /// <summary>A result with the moves decided on the host (one entry per item).</summary>
        public Result(State next, bool[] movePrimalCentre, bool[] moveDualCentres, double maxStallCount) =>
            (Next, HostMovePrimalCentre, HostMoveDualCentres, MaxStallCount) = (next, movePrimalCentre, moveDualCentres, maxStallCount);

        /// <summary>The updated regularisations and counters.</summary>
        public State Next { get; }

        /// <summary>The largest stall counter of the batch.</summary>
        public double MaxStallCount { get; }

        /// <summary>The host's copy of <see cref="MovePrimalCentre"/>, or null when the moves were decided in tensors.</summary>
        public bool[]? HostMovePrimalCentre { get; }

        /// <summary>The host's copy of <see cref="MoveDualCentres"/>, or null when the moves were decided in tensors.</summary>
        public bool[]? HostMoveDualCentres { get; }

        /// <summary>(B,) bool: where the primal centre moves.</summary>
        public Tensor MovePrimalCentre => _movePrimal ??= HostTensors.Of(HostMovePrimalCentre!);

        /// <summary>(B,) bool: where the dual centres move.</summary>
        public Tensor MoveDualCentres => _moveDual ??= HostTensors.Of(HostMoveDualCentres!);
    }

    /// <summary>Applies the update; on the CPU in one loop over the items unless <paramref name="useKernel"/> is false.</summary>
    public static Result Apply(State state, Inputs inputs, Settings settings, bool useKernel = true) =>
        useKernel && KernelApplies(state, inputs) ? ApplyPerItem(state, inputs, settings) : ApplyBatched(state, inputs.WithColumns(), settings);

    private static Result ApplyBatched(State state, Inputs inputs, Settings settings)
    {
        var norms = inputs.Norms;
        var accepted = inputs.Accepted;
        var dualImproved = (norms.Dual < inputs.PrevDual.Times(ImprovementFactor))
                           | ResidualMeasures.Within(norms.Dual, norms.DualScale, settings.Absolute, settings.Relative);
        var primalImproved = (norms.Primal < inputs.PrevPrimal.Times(ImprovementFactor))
                             | ResidualMeasures.Within(norms.Primal, norms.PrimalScale, settings.Absolute, settings.Relative);
        Tensor fast, slow;
        if (!settings.HasInequalities) (fast, slow) = (state.Rho.FullLike(0.1), state.Rho.FullLike(0.5));
        else
        {
            var rate = ((inputs.MuBefore - inputs.Mu) / inputs.MuBefore).AtLeast(0L);
            (fast, slow) = (rate.SubtractedFrom(1L), rate.Times(SlowShrinkRate).SubtractedFrom(1L));
        }
        Tensor Shrink(Tensor reg, Tensor improved, Tensor proxInf)
        {
            var suspected = settings.Iteration >= 5 ? proxInf.GreaterOrEqual(settings.InfeasibilityThreshold) : zeros_like(improved);
            var factor = where(improved, fast, where(suspected, slow.FullLike(settings.SuspectedInfeasibilityShrink), slow));
            return where(accepted, maximum(inputs.RegFloor, factor * reg), reg);
        }
        var rho = state.Rho;
        if (inputs.DualProxInf is not null)
        {
            dualImproved = dualImproved | (rho.EqualTo(settings.Finetune) & inputs.DualProxInf.LessThan(settings.InfeasibilityThreshold));
            rho = Shrink(rho, dualImproved, inputs.DualProxInf);
        }
        primalImproved = primalImproved | (state.DeltaIneq.EqualTo(settings.Finetune) & inputs.PrimalProxInf.LessThan(settings.InfeasibilityThreshold));
        var deltaIneq = Shrink(state.DeltaIneq, primalImproved, inputs.PrimalProxInf);
        var next = new State(rho, deltaIneq,
            state.NoPrimalUpdate.Plus((accepted & ~dualImproved).to(state.Rho.dtype)),
            state.NoDualUpdate.Plus((accepted & ~primalImproved).to(state.Rho.dtype)));
        double maxStallCount = maximum(next.NoPrimalUpdate.max(), next.NoDualUpdate.max()).to_type(ScalarType.Float64).item<double>();
        return new Result(next, accepted & dualImproved, accepted & primalImproved, maxStallCount);
    }

    private static bool KernelApplies(State state, Inputs inputs)
    {
        var dtype = state.Rho.dtype;
        Tensor[] measures = inputs.Tables is not null ? []
            : [inputs.Norms.Primal, inputs.Norms.Dual, inputs.Norms.PrimalScale, inputs.Norms.DualScale, inputs.PrevPrimal, inputs.PrevDual];
        var values = new[]
        {
            state.Rho, state.DeltaIneq, state.NoPrimalUpdate, state.NoDualUpdate, inputs.MuBefore, inputs.Mu,
            inputs.PrimalProxInf, inputs.DualProxInf ?? state.Rho, inputs.RegFloor,
        }.Concat(measures);
        return NativeLapack.Serves(state.Rho)
               && inputs.Accepted.dtype == ScalarType.Bool && inputs.Accepted.device_type == DeviceType.CPU
               && values.All(t => t.dtype == dtype && t.device_type == DeviceType.CPU && t.dim() == 1)
               && (inputs.Tables is not var (m, p) || (IsTable(m, dtype) && IsTable(p, dtype)));
    }

    private static bool IsTable(Tensor table, ScalarType dtype) =>
        table.dtype == dtype && table.device_type == DeviceType.CPU && table.dim() == 2
        && table.size(1) == (long)ScaledResidualsKernel.Measure.Count && table.is_contiguous();

    private static unsafe Result ApplyPerItem(State state, Inputs inputs, Settings settings)
    {
        long batch = state.Rho.size(0);
        state = new State(Dense.Of(state.Rho), Dense.Of(state.DeltaIneq), Dense.Of(state.NoPrimalUpdate), Dense.Of(state.NoDualUpdate));
        var norms = inputs.Norms;
        inputs = inputs with
        {
            Accepted = Dense.Of(inputs.Accepted),
            Norms = inputs.Tables is not null ? null! : norms with
            {
                Primal = Dense.Of(norms.Primal),
                Dual = Dense.Of(norms.Dual),
                PrimalScale = Dense.Of(norms.PrimalScale),
                DualScale = Dense.Of(norms.DualScale),
            },
            PrevPrimal = inputs.Tables is not null ? null! : Dense.Of(inputs.PrevPrimal),
            PrevDual = inputs.Tables is not null ? null! : Dense.Of(inputs.PrevDual),
            MuBefore = Dense.Of(inputs.MuBefore),
            Mu = Dense.Of(inputs.Mu),
            PrimalProxInf = Dense.Of(inputs.PrimalProxInf),
            DualProxInf = inputs.DualProxInf is null ? null : Dense.Of(inputs.DualProxInf),
            RegFloor = Dense.Of(inputs.RegFloor),
        };
        var next = new State(empty_like(state.Rho), empty_like(state.DeltaIneq), empty_like(state.NoPrimalUpdate), empty_like(state.NoDualUpdate));
        var movePrimal = new bool[batch];
        var moveDual = new bool[batch];
        double maxStallCount;
        fixed (bool* primalMoves = movePrimal, dualMoves = moveDual)
            maxStallCount = state.Rho.dtype == ScalarType.Float64
                ? Update(new Columns<double>(state, inputs, next, primalMoves, dualMoves), batch, settings)
                : Update(new Columns<float>(state, inputs, next, primalMoves, dualMoves), batch, settings);
        GC.KeepAlive(state); GC.KeepAlive(inputs);
        return new Result(next, movePrimal, moveDual, maxStallCount);
    }

    /// <summary>The (B,) tensors of one update as the per-item loop reads and writes them (all contiguous, CPU).</summary>
    private readonly unsafe struct Columns<T>(State state, Inputs inputs, State next, bool* movePrimal, bool* moveDual) where T : unmanaged
    {
        public readonly T* Rho = NativeLapack.Data<T>(state.Rho), DeltaIneq = NativeLapack.Data<T>(state.DeltaIneq);
        public readonly T* NoPrimal = NativeLapack.Data<T>(state.NoPrimalUpdate), NoDual = NativeLapack.Data<T>(state.NoDualUpdate);
        // The measures: columns (stride 1) or the rows of the tables (stride Measure.Count).
        public readonly long Stride = inputs.Tables is null ? 1 : (long)ScaledResidualsKernel.Measure.Count;
        public readonly T* Primal = Measure(inputs, inputs.Norms?.Primal, ScaledResidualsKernel.Measure.Primal, previous: false);
        public readonly T* Dual = Measure(inputs, inputs.Norms?.Dual, ScaledResidualsKernel.Measure.Dual, previous: false);
        public readonly T* PrimalScale = Measure(inputs, inputs.Norms?.PrimalScale, ScaledResidualsKernel.Measure.PrimalScale, previous: false);
        public readonly T* DualScale = Measure(inputs, inputs.Norms?.DualScale, ScaledResidualsKernel.Measure.DualScale, previous: false);
        public readonly T* PrevPrimal = Measure(inputs, inputs.PrevPrimal, ScaledResidualsKernel.Measure.Primal, previous: true);
        public readonly T* PrevDual = Measure(inputs, inputs.PrevDual, ScaledResidualsKernel.Measure.Dual, previous: true);
        public readonly T* MuBefore = NativeLapack.Data<T>(inputs.MuBefore), Mu = NativeLapack.Data<T>(inputs.Mu);
        public readonly T* PrimalProxInf = NativeLapack.Data<T>(inputs.PrimalProxInf);
        public readonly T* DualProxInf = inputs.DualProxInf is null ? null : NativeLapack.Data<T>(inputs.DualProxInf);
        public readonly T* Floor = NativeLapack.Data<T>(inputs.RegFloor);
        public readonly T* NewRho = NativeLapack.Data<T>(next.Rho), NewDeltaIneq = NativeLapack.Data<T>(next.DeltaIneq);
        public readonly T* NewNoPrimal = NativeLapack.Data<T>(next.NoPrimalUpdate), NewNoDual = NativeLapack.Data<T>(next.NoDualUpdate);
        public readonly bool* Accepted = NativeLapack.Data<bool>(inputs.Accepted);
        public readonly bool* MovePrimal = movePrimal, MoveDual = moveDual;

        private static T* Measure(Inputs inputs, Tensor? column, ScaledResidualsKernel.Measure measure, bool previous) =>
            inputs.Tables is var (table, previousTable) ? NativeLapack.Data<T>(previous ? previousTable : table) + (int)measure : NativeLapack.Data<T>(column!);
    }

    /// <summary>The update item by item (ρ only where a dual proximal measure is given); returns the largest new counter.</summary>
    private static unsafe double Update<T>(Columns<T> c, long batch, Settings settings) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool adaptive = c.DualProxInf != null;
        T C(double value) => T.CreateTruncating(value);
        T abs = C(settings.Absolute), rel = C(settings.Relative), finetune = C(settings.Finetune), threshold = C(settings.InfeasibilityThreshold);
        bool Within(T residual, T scale) => residual <= abs || residual <= rel * scale;
        T maxStallCount = T.Zero;
        for (long i = 0; i < batch; i++)
        {
            bool accepted = c.Accepted[i];
            long r = i * c.Stride;
            bool dualImproved = c.Dual[r] < C(ImprovementFactor) * c.PrevDual[r] || Within(c.Dual[r], c.DualScale[r]);
            bool primalImproved = c.Primal[r] < C(ImprovementFactor) * c.PrevPrimal[r] || Within(c.Primal[r], c.PrimalScale[r]);
            T fast = C(0.1), slow = C(0.5);
            if (settings.HasInequalities)
            {
                T rate = T.Max((c.MuBefore[i] - c.Mu[i]) / c.MuBefore[i], T.Zero);
                (fast, slow) = (T.One - rate, T.One - C(SlowShrinkRate) * rate);
            }
            T Shrink(T reg, bool improved, T proxInf)
            {
                bool suspected = settings.Iteration >= 5 && proxInf >= threshold;
                T factor = improved ? fast : suspected ? C(settings.SuspectedInfeasibilityShrink) : slow;
                return accepted ? T.Max(c.Floor[i], factor * reg) : reg;
            }
            c.NewRho[i] = c.Rho[i];
            if (adaptive)
            {
                dualImproved |= c.Rho[i] == finetune && c.DualProxInf[i] < threshold;
                c.NewRho[i] = Shrink(c.Rho[i], dualImproved, c.DualProxInf[i]);
            }
            primalImproved |= c.DeltaIneq[i] == finetune && c.PrimalProxInf[i] < threshold;
            c.NewDeltaIneq[i] = Shrink(c.DeltaIneq[i], primalImproved, c.PrimalProxInf[i]);
            c.NewNoPrimal[i] = c.NoPrimal[i] + (accepted && !dualImproved ? T.One : T.Zero);
            c.NewNoDual[i] = c.NoDual[i] + (accepted && !primalImproved ? T.One : T.Zero);
            c.MovePrimal[i] = accepted && dualImproved;
            c.MoveDual[i] = accepted && primalImproved;
            maxStallCount = T.Max(maxStallCount, T.Max(c.NewNoPrimal[i], c.NewNoDual[i]));
        }
        return double.CreateTruncating(maxStallCount);
    }
}
