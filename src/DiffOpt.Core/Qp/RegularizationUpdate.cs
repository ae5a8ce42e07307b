using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

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
        var dualImproved = (norms.Dual < ImprovementFactor * inputs.PrevDual)
                           | ResidualMeasures.Within(norms.Dual, norms.DualScale, settings.Absolute, settings.Relative);
        var primalImproved = (norms.Primal < ImprovementFactor * inputs.PrevPrimal)
                             | ResidualMeasures.Within(norms.Primal, norms.PrimalScale, settings.Absolute, settings.Relative);
        Tensor fast, slow;
        if (!settings.HasInequalities) (fast, slow) = (full_like(state.Rho, 0.1), full_like(state.Rho, 0.5));
        else
        {
            var rate = ((inputs.MuBefore - inputs.Mu) / inputs.MuBefore).clamp_min(0);
            (fast, slow) = (1 - rate, 1 - SlowShrinkRate * rate);
        }
        Tensor Shrink(Tensor reg, Tensor improved, Tensor proxInf)
        {
            var suspected = settings.Iteration >= 5 ? proxInf >= settings.InfeasibilityThreshold : zeros_like(improved);
            var factor = where(improved, fast, where(suspected, full_like(slow, settings.SuspectedInfeasibilityShrink), slow));
            return where(accepted, maximum(inputs.RegFloor, factor * reg), reg);
        }
        var rho = state.Rho;
        if (inputs.DualProxInf is not null)
        {
            dualImproved = dualImproved | ((rho == settings.Finetune) & (inputs.DualProxInf < settings.InfeasibilityThreshold));
            rho = Shrink(rho, dualImproved, inputs.DualProxInf);
        }
        primalImproved = primalImproved | ((state.DeltaIneq == settings.Finetune) & (inputs.PrimalProxInf < settings.InfeasibilityThreshold));
        var deltaIneq = Shrink(state.DeltaIneq, primalImproved, inputs.PrimalProxInf);
        var next = new State(rho, deltaIneq,
            state.NoPrimalUpdate + (accepted & ~dualImproved).to(state.Rho.dtype),
            state.NoDualUpdate + (accepted & ~primalImproved).to(state.Rho.dtype));
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
        return NativeLapack.IsAvailable && (dtype == ScalarType.Float64 || dtype == ScalarType.Float32)
               && inputs.Accepted.dtype == ScalarType.Bool && inputs.Accepted.device_type == DeviceType.CPU
               && values.All(t => t.dtype == dtype && t.device_type == DeviceType.CPU && t.dim() == 1);
    }

    private static Result ApplyPerItem(State state, Inputs inputs, Settings settings)
    {
        long batch = state.Rho.shape[0];
        Tensor Input(Tensor t) => t.contiguous();
        var n = inputs.Norms;
        var source = new[]
        {
            Input(state.Rho), Input(state.DeltaIneq), Input(state.NoPrimalUpdate), Input(state.NoDualUpdate),
            Input(n.Primal), Input(n.Dual), Input(n.PrimalScale), Input(n.DualScale), Input(inputs.PrevPrimal), Input(inputs.PrevDual),
            Input(inputs.MuBefore), Input(inputs.Mu), Input(inputs.PrimalProxInf), Input(inputs.DualProxInf ?? state.Rho), Input(inputs.RegFloor),
        };
        var accepted = inputs.Accepted.contiguous();
        var next = new State(empty_like(source[0]), empty_like(source[1]), empty_like(source[2]), empty_like(source[3]));
        var movePrimal = empty(batch, ScalarType.Bool);
        var moveDual = empty(batch, ScalarType.Bool);
        var outputs = new[] { next.Rho, next.DeltaIneq, next.NoPrimalUpdate, next.NoDualUpdate };
        double maxStallCount;
        unsafe
        {
            var masks = new Masks((bool*)NativeLapack.DataPointer(accepted), (bool*)NativeLapack.DataPointer(movePrimal),
                (bool*)NativeLapack.DataPointer(moveDual));
            if (state.Rho.dtype == ScalarType.Float64)
                maxStallCount = Update<double>(Pointers(source), Pointers(outputs), masks, batch, inputs.DualProxInf is not null, settings);
            else
                maxStallCount = Update<float>(Pointers(source), Pointers(outputs), masks, batch, inputs.DualProxInf is not null, settings);
        }
        GC.KeepAlive(source); GC.KeepAlive(accepted);
        return new Result(next, movePrimal, moveDual, maxStallCount);
    }

    private static IntPtr[] Pointers(Tensor[] tensors) => tensors.Select(NativeLapack.DataPointer).ToArray();

    private readonly unsafe struct Masks(bool* accepted, bool* movePrimal, bool* moveDual)
    {
        public readonly bool* Accepted = accepted, MovePrimal = movePrimal, MoveDual = moveDual;
    }

    /// <summary>
    /// The update item by item; <paramref name="source"/> in the order of <see cref="ApplyPerItem"/>,
    /// <paramref name="target"/> ρ, δ, counters. Returns the largest new counter.
    /// </summary>
    private static unsafe double Update<T>(IntPtr[] source, IntPtr[] target, Masks masks, long batch, bool adaptive, Settings settings)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* rho = (T*)source[0], deltaIneq = (T*)source[1], noPrimal = (T*)source[2], noDual = (T*)source[3];
        T* primal = (T*)source[4], dual = (T*)source[5], primalScale = (T*)source[6], dualScale = (T*)source[7];
        T* prevPrimal = (T*)source[8], prevDual = (T*)source[9], muBefore = (T*)source[10], mu = (T*)source[11];
        T* primalProxInf = (T*)source[12], dualProxInf = (T*)source[13], floor = (T*)source[14];
        T* newRho = (T*)target[0], newDeltaIneq = (T*)target[1], newNoPrimal = (T*)target[2], newNoDual = (T*)target[3];
        T C(double value) => T.CreateTruncating(value);
        T abs = C(settings.Absolute), rel = C(settings.Relative), finetune = C(settings.Finetune), threshold = C(settings.InfeasibilityThreshold);
        bool Within(T residual, T scale) => residual <= abs || residual <= rel * scale;
        T maxStallCount = T.Zero;
        for (long i = 0; i < batch; i++)
        {
            bool accepted = masks.Accepted[i];
            bool dualImproved = dual[i] < C(ImprovementFactor) * prevDual[i] || Within(dual[i], dualScale[i]);
            bool primalImproved = primal[i] < C(ImprovementFactor) * prevPrimal[i] || Within(primal[i], primalScale[i]);
            T fast = C(0.1), slow = C(0.5);
            if (settings.HasInequalities)
            {
                T rate = T.Max((muBefore[i] - mu[i]) / muBefore[i], T.Zero);
                (fast, slow) = (T.One - rate, T.One - C(SlowShrinkRate) * rate);
            }
            T Shrink(T reg, bool improved, T proxInf)
            {
                bool suspected = settings.Iteration >= 5 && proxInf >= threshold;
                T factor = improved ? fast : suspected ? C(settings.SuspectedInfeasibilityShrink) : slow;
                return accepted ? T.Max(floor[i], factor * reg) : reg;
            }
            newRho[i] = rho[i];
            if (adaptive)
            {
                dualImproved |= rho[i] == finetune && dualProxInf[i] < threshold;
                newRho[i] = Shrink(rho[i], dualImproved, dualProxInf[i]);
            }
            primalImproved |= deltaIneq[i] == finetune && primalProxInf[i] < threshold;
            newDeltaIneq[i] = Shrink(deltaIneq[i], primalImproved, primalProxInf[i]);
            newNoPrimal[i] = noPrimal[i] + (accepted && !dualImproved ? T.One : T.Zero);
            newNoDual[i] = noDual[i] + (accepted && !primalImproved ? T.One : T.Zero);
            masks.MovePrimal[i] = accepted && dualImproved;
            masks.MoveDual[i] = accepted && primalImproved;
            maxStallCount = T.Max(maxStallCount, T.Max(newNoPrimal[i], newNoDual[i]));
        }
        return double.CreateTruncating(maxStallCount);
    }
}
