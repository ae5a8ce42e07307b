using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Approximate Farkas certificates read off a diverging iterate (unscaled quantities):
/// <list type="bullet">
/// <item>primal infeasibility: duals (y, z ≥ 0) with Aᵀy + Gᵀz = 0 and bᵀy + hᵀz &lt; 0;</item>
/// <item>dual infeasibility (unbounded objective): a ray x with Px = 0, Ax = 0, Gx ≤ 0 and cᵀx &lt; 0.</item>
/// </list>
/// Both tests are scale invariant: the violation of the homogeneous conditions must be at most ε times the
/// separation (−bᵀy − hᵀz, resp. −cᵀx). On a feasible problem with a bounded solution this ratio is at least
/// 1/‖x*‖₁ at the optimum, so a certificate at ε = 1e-8 means the problem is infeasible up to a relative
/// perturbation ε of its data.
/// </summary>
internal static class InfeasibilityCertificates
{
    /// <summary>True per item where (y, z) certifies primal infeasibility.</summary>
    public static Tensor PrimalInfeasible(ScaledQp qp, RuizEquilibration scaling, QpIterate it, double epsilon)
    {
        var separation = -(Batched.Dot(qp.B, it.Y) + Batched.Dot(qp.H, it.Z));
        var violation = Batched.InfNorm(scaling.UnscaleDualResidual(Batched.MatTVec(qp.A, it.Y) + Batched.MatTVec(qp.G, it.Z)));
        return (separation > 0) & (violation <= epsilon * separation);
    }

    /// <summary>True per item where x certifies dual infeasibility (an unbounded descent ray).</summary>
    public static Tensor DualInfeasible(ScaledQp qp, RuizEquilibration scaling, QpIterate it, double epsilon)
    {
        var separation = -Batched.Dot(qp.C, it.X);
        var violation = Batched.Max(
            Batched.InfNorm(scaling.UnscaleDualResidual(Batched.MatVec(qp.P, it.X))),
            Batched.InfNorm(scaling.UnscaleEqualityResidual(Batched.MatVec(qp.A, it.X))),
            Batched.InfNorm(scaling.UnscaleInequalityResidual(Batched.MatVec(qp.G, it.X).clamp_min(0))));
        return (separation > 0) & (violation <= epsilon * separation);
    }
}
