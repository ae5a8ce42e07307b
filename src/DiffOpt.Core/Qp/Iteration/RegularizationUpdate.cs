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
        Tensor PrimalProxInf, Tensor? DualProxInf, Tensor RegFloor);

    /// <summary>The regularisations and stall counters (B,); ρ is left as it is when no dual proximal measure is given.</summary>
    internal sealed record State(Tensor Rho, Tensor DeltaIneq, Tensor NoPrimalUpdate, Tensor NoDualUpdate);

    /// <summary>
    /// The updated state, where the primal centre (accepted and dual residual improved) and the dual centres
    /// (accepted and primal residual improved) move, and the largest stall counter of the batch.
    /// </summary>
    internal sealed record Result(State Next, Tensor MovePrimalCentre, Tensor MoveDualCentres, double MaxStallCount);

    /// <summary>Applies the update; on the CPU in one loop over the items unless <paramref name="useKernel"/> is false.</summary>
    public static Result Apply(State state, Inputs inputs, Settings settings, bool useKernel = true) =>
        useKernel && KernelApplies(state, inputs) ? ApplyPerItem(state, inputs, settings) : ApplyBatched(state, inputs, settings);

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
        var values = new[]
        {
            state.Rho, state.DeltaIneq, state.NoPrimalUpdate, state.NoDualUpdate, inputs.Norms.Primal, inputs.Norms.Dual,
            inputs.Norms.PrimalScale, inputs.Norms.DualScale, inputs.PrevPrimal, inputs.PrevDual, inputs.MuBefore, inputs.Mu,
            inputs.PrimalProxInf, inputs.DualProxInf ?? state.Rho, inputs.RegFloor,
        };
        return NativeLapack.Serves(state.Rho)
               && inputs.Accepted.dtype == ScalarType.Bool && inputs.Accepted.device_type == DeviceType.CPU
               && values.All(t => t.dtype == dtype && t.device_type == DeviceType.CPU && t.dim() == 1);
    }

    private static Result ApplyPerItem(State state, Inputs inputs, Settings settings)
    {
        long batch = state.Rho.size(0);
        state = new State(Dense.Of(state.Rho), Dense.Of(state.DeltaIneq), Dense.Of(state.NoPrimalUpdate), Dense.Of(state.NoDualUpdate));
        var norms = inputs.Norms;
        inputs = new Inputs(Dense.Of(inputs.Accepted),
            norms with { Primal = Dense.Of(norms.Primal), Dual = Dense.Of(norms.Dual), PrimalScale = Dense.Of(norms.PrimalScale), DualScale = Dense.Of(norms.DualScale) },
            Dense.Of(inputs.PrevPrimal), Dense.Of(inputs.PrevDual), Dense.Of(inputs.MuBefore), Dense.Of(inputs.Mu),
            Dense.Of(inputs.PrimalProxInf), inputs.DualProxInf is null ? null : Dense.Of(inputs.DualProxInf), Dense.Of(inputs.RegFloor));
        var next = new State(empty_like(state.Rho), empty_like(state.DeltaIneq), empty_like(state.NoPrimalUpdate), empty_like(state.NoDualUpdate));
        var movePrimal = empty(batch, ScalarType.Bool);
        var moveDual = empty(batch, ScalarType.Bool);
        double maxStallCount = state.Rho.dtype == ScalarType.Float64
            ? Update(new Columns<double>(state, inputs, next, movePrimal, moveDual), batch, settings)
            : Update(new Columns<float>(state, inputs, next, movePrimal, moveDual), batch, settings);
        GC.KeepAlive(state); GC.KeepAlive(inputs);
        return new Result(next, movePrimal, moveDual, maxStallCount);
    }

    /// <summary>The (B,) tensors of one update as the per-item loop reads and writes them (all contiguous, CPU).</summary>
    private readonly unsafe struct Columns<T>(State state, Inputs inputs, State next, Tensor movePrimal, Tensor moveDual) where T : unmanaged
    {
        public readonly T* Rho = NativeLapack.Data<T>(state.Rho), DeltaIneq = NativeLapack.Data<T>(state.DeltaIneq);
        public readonly T* NoPrimal = NativeLapack.Data<T>(state.NoPrimalUpdate), NoDual = NativeLapack.Data<T>(state.NoDualUpdate);
        public readonly T* Primal = NativeLapack.Data<T>(inputs.Norms.Primal), Dual = NativeLapack.Data<T>(inputs.Norms.Dual);
        public readonly T* PrimalScale = NativeLapack.Data<T>(inputs.Norms.PrimalScale), DualScale = NativeLapack.Data<T>(inputs.Norms.DualScale);
        public readonly T* PrevPrimal = NativeLapack.Data<T>(inputs.PrevPrimal), PrevDual = NativeLapack.Data<T>(inputs.PrevDual);
        public readonly T* MuBefore = NativeLapack.Data<T>(inputs.MuBefore), Mu = NativeLapack.Data<T>(inputs.Mu);
        public readonly T* PrimalProxInf = NativeLapack.Data<T>(inputs.PrimalProxInf);
        public readonly T* DualProxInf = inputs.DualProxInf is null ? null : NativeLapack.Data<T>(inputs.DualProxInf);
        public readonly T* Floor = NativeLapack.Data<T>(inputs.RegFloor);
        public readonly T* NewRho = NativeLapack.Data<T>(next.Rho), NewDeltaIneq = NativeLapack.Data<T>(next.DeltaIneq);
        public readonly T* NewNoPrimal = NativeLapack.Data<T>(next.NoPrimalUpdate), NewNoDual = NativeLapack.Data<T>(next.NoDualUpdate);
        public readonly bool* Accepted = NativeLapack.Data<bool>(inputs.Accepted);
        public readonly bool* MovePrimal = NativeLapack.Data<bool>(movePrimal), MoveDual = NativeLapack.Data<bool>(moveDual);
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
            bool dualImproved = c.Dual[i] < C(ImprovementFactor) * c.PrevDual[i] || Within(c.Dual[i], c.DualScale[i]);
            bool primalImproved = c.Primal[i] < C(ImprovementFactor) * c.PrevPrimal[i] || Within(c.Primal[i], c.PrimalScale[i]);
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
