using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// Per-item primal residual, dual residual and duality gap, each with the normaliser of its relative test (the
/// largest of the terms it is made of, at least 1). An item meets a tolerance when each measure is at most the
/// absolute tolerance or at most the relative tolerance times its normaliser.
/// </summary>
internal sealed record ResidualMeasures(Tensor Primal, Tensor Dual, Tensor Gap, Tensor PrimalScale, Tensor DualScale, Tensor GapScale)
{
    /// <summary>
    /// True per item where all three measures are finite and meet tolerance × <paramref name="factor"/> (an infinite
    /// measure with an infinite normaliser would pass the relative test).
    /// </summary>
    public Tensor Meets(SolverTolerances tol, double factor = 1.0)
    {
        double abs = tol.Absolute * factor, rel = tol.Relative * factor;
        return Within(Primal, PrimalScale, abs, rel) & Within(Dual, DualScale, abs, rel) & Within(Gap, GapScale, abs, rel)
            & Primal.isfinite() & Dual.isfinite() & Gap.isfinite();
    }

    /// <summary><see cref="Meets(SolverTolerances, double)"/> for one item's measures (the CPU kernels).</summary>
    public static bool Meets((double Primal, double Dual, double Gap, double PrimalScale, double DualScale, double GapScale) measures,
        SolverTolerances tol, double factor = 1.0)
    {
        double abs = tol.Absolute * factor, rel = tol.Relative * factor;
        static bool Within(double v, double scale, double abs, double rel) => v <= abs || v <= rel * scale;
        return Within(measures.Primal, measures.PrimalScale, abs, rel) && Within(measures.Dual, measures.DualScale, abs, rel)
            && Within(measures.Gap, measures.GapScale, abs, rel)
            && double.IsFinite(measures.Primal) && double.IsFinite(measures.Dual) && double.IsFinite(measures.Gap);
    }

    /// <summary>Per item, the largest of measure / <see cref="Limit"/> over the three measures; at most 1 where the tolerance is met.</summary>
    public Tensor WorstRatio(SolverTolerances tol) =>
        maximum(Primal / Limit(PrimalScale, tol), maximum(Dual / Limit(DualScale, tol), Gap / Limit(GapScale, tol)));

    /// <summary><see cref="WorstRatio(SolverTolerances)"/> for one item's measures (the CPU kernels); NaN where a measure is not finite.</summary>
    public static double WorstRatio((double Primal, double Dual, double Gap, double PrimalScale, double DualScale, double GapScale) measures,
        SolverTolerances tol)
    {
        static double Ratio(double v, double scale, SolverTolerances tol) => double.IsFinite(v) ? v / Math.Max(tol.Absolute, tol.Relative * scale) : double.NaN;
        return Math.Max(Ratio(measures.Primal, measures.PrimalScale, tol), Math.Max(Ratio(measures.Dual, measures.DualScale, tol),
            Ratio(measures.Gap, measures.GapScale, tol)));
    }

    /// <summary>What a measure with normaliser <paramref name="scale"/> must not exceed: the absolute tolerance, or the relative one × scale if larger.</summary>
    public static Tensor Limit(Tensor scale, SolverTolerances tol) => maximum(scale.FullLike(tol.Absolute), scale.Times(tol.Relative));

    /// <summary>residual ≤ abs, or residual ≤ rel × scale.</summary>
    public static Tensor Within(Tensor residual, Tensor scale, double abs, double rel) =>
        residual.LessOrEqual(abs) | (residual <= scale.Times(rel));

    /// <summary>The measures of the items at <paramref name="index"/> (1-D int64 batch positions).</summary>
    public ResidualMeasures Select(Tensor index) => new(
        Primal.index_select(0, index), Dual.index_select(0, index), Gap.index_select(0, index),
        PrimalScale.index_select(0, index), DualScale.index_select(0, index), GapScale.index_select(0, index));

    /// <summary>Per item: these measures where <paramref name="keep"/> (B,) is true, <paramref name="other"/>'s elsewhere.</summary>
    public ResidualMeasures Where(Tensor keep, ResidualMeasures other) => new(
        where(keep, Primal, other.Primal), where(keep, Dual, other.Dual), where(keep, Gap, other.Gap),
        where(keep, PrimalScale, other.PrimalScale), where(keep, DualScale, other.DualScale), where(keep, GapScale, other.GapScale));

    /// <summary>Every tensor of the measures.</summary>
    public IEnumerable<Tensor> Tensors() => new[] { Primal, Dual, Gap, PrimalScale, DualScale, GapScale };
}
