using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Approximate Farkas certificates read off a diverging iterate (unscaled quantities):
/// <list type="bullet">
/// <item>primal infeasibility: duals (y, z ≥ 0) with Aᵀy + Gᵀz = 0 and bᵀy + hᵀz &lt; 0;</item>
/// <item>dual infeasibility (unbounded objective): a ray x with Px = 0, Ax = 0, Gx ≤ 0 and cᵀx &lt; 0.</item>
/// </list>
/// Both tests are scale invariant: the violation of the homogeneous conditions must be at most ε times the
/// separation (−bᵀy − hᵀz, resp. −cᵀx). On a feasible problem with a bounded solution this ratio is at least
/// 1/‖x*‖₁ at the optimum, so a certificate at ε means the problem is infeasible (unbounded) up to a relative
/// perturbation ε of its data.
/// Candidates are the diverging iterate itself, its displacement from the proximal centre, and (for primal
/// infeasibility) the negated primal residual, which at the point of least infeasibility satisfies
/// Aᵀr_y + Gᵀr_z = 0 and bᵀr_y + hᵀr_z = −‖r‖² (the optimality conditions of min ‖(Ax − b, (Gx − h)₊)‖²).
/// All vectors are in the scaled space; (y, z) map to unscaled duals as (E_A y, E_G z).
/// </summary>
internal static class InfeasibilityCertificates
{
    /// <summary>
    /// Per item: whether a candidate certifies primal infeasibility, and that certificate (the first candidate
    /// that passes), scaled to unit infinity norm in unscaled units.
    /// </summary>
    public static (Tensor Found, Tensor Y, Tensor Z) PrimalInfeasible(ScaledQp qp, RuizEquilibration scaling, QpIterate it,
        QpResiduals res, Tensor lambda, Tensor nu, double epsilon)
    {
        var candidates = new[]
        {
            (it.Y, it.Z),
            (it.Y - lambda, (it.Z - nu).AtLeast(0L)),
            (-res.Ry, (-res.Rz).AtLeast(0L)),
        };
        var found = zeros(it.X.size(0), dtype: ScalarType.Bool, device: it.X.device);
        Tensor y = it.Y, z = it.Z;
        foreach (var (cy, cz) in candidates.Reverse())
        {
            var ok = IsFarkasRay(qp, scaling, cy, cz, epsilon);
            y = where(ok.unsqueeze(-1), cy, y);
            z = where(ok.unsqueeze(-1), cz, z);
            found = found | ok;
        }
        var norm = Batched.Max(Batched.InfNorm(scaling.UnscaleEqualityDual(y)), Batched.InfNorm(scaling.UnscaleInequalityDual(z)))
            .AtLeast(1e-300).unsqueeze(-1);
        return (found, y / norm, z / norm);
    }

    /// <summary>
    /// Per item: whether the iterate or its proximal displacement certifies dual infeasibility, and that ray,
    /// scaled to unit infinity norm in unscaled units.
    /// </summary>
    public static (Tensor Found, Tensor X) DualInfeasible(ScaledQp qp, RuizEquilibration scaling, QpIterate it, Tensor xi, double epsilon)
    {
        var displacement = it.X - xi;
        var okDisplacement = IsDescentRay(qp, scaling, displacement, epsilon);
        var okIterate = IsDescentRay(qp, scaling, it.X, epsilon);
        var x = where(okIterate.unsqueeze(-1), it.X, displacement);
        var norm = Batched.InfNorm(scaling.UnscalePrimal(x)).AtLeast(1e-300).unsqueeze(-1);
        return (okIterate | okDisplacement, x / norm);
    }

    /// <summary>z ≥ 0 (B,m) and y (B,k) with ‖Aᵀy + Gᵀz‖∞ ≤ ε·(−bᵀy − hᵀz).</summary>
    private static Tensor IsFarkasRay(ScaledQp qp, RuizEquilibration scaling, Tensor y, Tensor z, double epsilon)
    {
        var separation = -(Batched.Dot(qp.B, y).Plus(Batched.Dot(qp.H, z)));
        var violation = Batched.InfNorm(scaling.UnscaleDualResidual(qp.ATy(y).Plus(qp.GTz(z))));
        return StatusRule.Certifies(separation, violation, floor: null, epsilon);
    }

    /// <summary>x (B,n) with max(‖Px‖∞, ‖Ax‖∞, ‖(Gx)₊‖∞) ≤ ε·(−cᵀx).</summary>
    private static Tensor IsDescentRay(ScaledQp qp, RuizEquilibration scaling, Tensor x, double epsilon)
    {
        var separation = -Batched.Dot(qp.C, x);
        var violation = Batched.Max(
            Batched.InfNorm(scaling.UnscaleDualResidual(qp.Px(x))),
            Batched.InfNorm(scaling.UnscaleEqualityResidual(qp.Ax(x))),
            Batched.InfNorm(scaling.UnscaleInequalityResidual(qp.Gx(x).AtLeast(0L))));
        return StatusRule.Certifies(separation, violation, floor: null, epsilon);
    }
}
