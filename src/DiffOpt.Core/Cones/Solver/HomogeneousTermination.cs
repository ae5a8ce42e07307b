using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The stopping tests of the homogeneous method on the original (unequilibrated, float64) data, after Clarabel's
/// <c>info.rs</c>: optimality of the point (x, y, s) = (Ex̂, Dẑ/σ, D⁻¹ŝ)/τ (<see cref="Measure"/>), and
/// infeasibility certificates read from the unnormalised iterate (τ → 0): y = Dẑ ∈ K* with ‖Aᵀy‖∞ ≤ ε(−bᵀy), or
/// (x, s) = (Ex̂, D⁻¹ŝ), s ∈ K, with max(‖Px‖∞, ‖Ax + s‖∞) ≤ ε(−cᵀx); each also needs −bᵀy ≥ ε‖y‖∞ (−cᵀx ≥ ε‖(x, s)‖∞).
/// </summary>
internal sealed class HomogeneousTermination(ConeProgramData data, ConeEquilibration scaling, SolverTolerances tolerances)
{
    /// <summary>The point (x, y, s) of the original program that the iterate stands for.</summary>
    public (Tensor X, Tensor Y, Tensor S) Point(HomogeneousIterate point)
    {
        var tau = point.Tau.unsqueeze(1);
        return (scaling.UnscaleX(point.X) / tau, scaling.UnscaleY(point.Z) / tau, scaling.UnscaleS(point.S) / tau);
    }

    /// <summary>The residual measures of (x, y, s) on the original data (<see cref="ConeProgramSolution"/>'s definitions).</summary>
    public ResidualMeasures Measure(Tensor x, Tensor y, Tensor s)
    {
        var ax = HomogeneousNewton.Times(data.A, x);
        var px = HomogeneousNewton.Times(data.P, x);
        var aty = HomogeneousNewton.Times(data.A.transpose(1, 2), y);
        var primal = Norm(ax.Plus(s) - data.B);
        var dual = Norm(px.Plus(aty).Plus(data.C));
        var quadratic = HomogeneousNewton.Dot(x, px);
        var primalObjective = HomogeneousNewton.Dot(data.C, x).Plus(quadratic.Times(0.5));
        var dualObjective = -HomogeneousNewton.Dot(data.B, y) - quadratic.Times(0.5);
        var one = ones_like(primal);
        return new ResidualMeasures(primal, dual, (primalObjective - dualObjective).abs(),
            maximum(one, maximum(Norm(ax), maximum(Norm(s), Norm(data.B)))),
            maximum(one, maximum(Norm(px), maximum(Norm(aty), Norm(data.C)))),
            maximum(one, minimum(primalObjective.abs(), dualObjective.abs())));
    }

    /// <summary>(B,) bool: the measures meet the tolerances times <paramref name="factor"/> (the shared rule, <see cref="ResidualMeasures.Meets(SolverTolerances, double)"/>).</summary>
    public Tensor Meets(ResidualMeasures measures, double factor = 1) => measures.Meets(tolerances, factor);

    /// <summary>(B,): the largest measure / limit (<see cref="ResidualMeasures.WorstRatio(SolverTolerances)"/>), at most 1 where the tolerances are met.</summary>
    public Tensor WorstRatio(ResidualMeasures measures) => measures.WorstRatio(tolerances);

    /// <summary>(B,) bool, and the certificate y with bᵀy = −1: the iterate proves primal infeasibility.</summary>
    public (Tensor Proven, Tensor Y) PrimalInfeasible(HomogeneousIterate point)
    {
        var y = scaling.D * point.Z;
        var by = -HomogeneousNewton.Dot(data.B, y);
        var aty = Norm(HomogeneousNewton.Times(data.A.transpose(1, 2), y));
        var proven = StatusRule.Certifies(by, aty, Norm(y).Times(tolerances.Infeasibility), tolerances.Infeasibility);
        return (proven, y / by.unsqueeze(1));
    }

    /// <summary>(B,) bool, and the ray (x, s) with cᵀx = −1: the iterate proves dual infeasibility (unboundedness).</summary>
    public (Tensor Proven, Tensor X, Tensor S) DualInfeasible(HomogeneousIterate point)
    {
        var x = scaling.UnscaleX(point.X);
        var s = scaling.UnscaleS(point.S);
        var cx = -HomogeneousNewton.Dot(data.C, x);
        var residual = maximum(Norm(HomogeneousNewton.Times(data.P, x)), Norm(HomogeneousNewton.Times(data.A, x).Plus(s)));
        var proven = StatusRule.Certifies(cx, residual, maximum(Norm(x), Norm(s)).Times(tolerances.Infeasibility), tolerances.Infeasibility);
        var column = cx.unsqueeze(1);
        return (proven, x / column, s / column);
    }

    /// <summary>‖v‖∞ per item (0 for an empty row).</summary>
    private static Tensor Norm(Tensor v) => v.shape[1] == 0 ? zeros(v.shape[0], dtype: v.dtype, device: v.device) : v.abs().amax(1);
}
