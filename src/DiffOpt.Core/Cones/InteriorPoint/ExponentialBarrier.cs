using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The logarithmic barrier of the exponential cone K_exp = cl{(x, y, z) : y e^{x/y} ≤ z, y &gt; 0} and of its
/// conjugate, on tensors of triples (…, 3) (any leading shape, float32 or float64, any device):
///     f(x, y, z) = −log ψ − log y − log z,   ψ = y·log(z/y) − x,
/// a 3-logarithmically homogeneous self-concordant barrier (Chares, thesis 2009, §2.3; Dahl and Andersen,
/// Math. Programming 194, 2022, §3; Clarabel's <c>expcone.rs</c>, whose closed form is the dual barrier instead).
/// The conjugate f*(d) = sup_x {−⟨d, x⟩ − f(x)} has no closed form; its gradient comes from a scalar equation
/// (<see cref="DualGradient"/>). Outside the domains the results are NaN or ±∞.
/// </summary>
internal static class ExponentialBarrier
{
    /// <summary>Newton steps on the Wright-omega equation in <see cref="DualGradient"/> (≤ 5 reach float64 precision).</summary>
    internal const int OmegaNewtonSteps = 8;

    /// <summary>f(x, y, z) per triple (…).</summary>
    public static Tensor Value(Tensor t)
    {
        var (_, y, z) = Split(t);
        return -Psi(t).log() - y.log() - z.log();
    }

    /// <summary>
    /// ∇f = −∇ψ/ψ − (0, 1/y, 1/z) with ∇ψ = (−1, log(z/y) − 1, y/z), per triple (…, 3).
    /// </summary>
    public static Tensor Gradient(Tensor t)
    {
        var (_, y, z) = Split(t);
        var psi = Psi(t);
        var (px, py, pz) = PsiGradient(t);
        return stack([-px / psi, -py / psi - y.Into(1.0), -pz / psi - z.Into(1.0)], -1);
    }

    /// <summary>
    /// ∇²f = ∇ψ∇ψᵀ/ψ² − ∇²ψ/ψ + diag(0, 1/y², 1/z²), where ∇²ψ has ψ_yy = −1/y, ψ_yz = 1/z, ψ_zz = −y/z² and
    /// zeros in the x row and column; per triple (…, 3, 3), symmetric positive definite on the interior.
    /// </summary>
    public static Tensor Hessian(Tensor t)
    {
        var (_, y, z) = Split(t);
        var psi = Psi(t);
        var (px, py, pz) = PsiGradient(t);
        var g = stack([px, py, pz], -1) / psi.unsqueeze(-1);
        var zero = zeros_like(y);
        var curvature = stack(
        [
            stack([zero, zero, zero], -1),
            stack([zero, (y * psi).Into(1.0).Plus((y * y).Into(1.0)), (z * psi).Into(-1.0)], -1),
            stack([zero, (z * psi).Into(-1.0), (y / (z * z * psi)).Plus((z * z).Into(1.0))], -1),
        ], -2);
        return (g.unsqueeze(-1) * g.unsqueeze(-2)).Plus(curvature);
    }

    /// <summary>
    /// f*(d) per triple (…): at x = −∇f*(d) the supremum in f*(d) = sup_x {−⟨d, x⟩ − f(x)} is attained and
    /// ⟨d, x⟩ = 3 (logarithmic homogeneity), so f*(d) = −3 − f(x). NaN for d ∉ int K_exp*.
    /// </summary>
    public static Tensor DualValue(Tensor d) => Value(-DualGradient(d)).SubtractedFrom(-3L);

    /// <summary>
    /// [∇²f]⁻¹ in closed form, per triple (…, 3, 3). ∇²f = ggᵀ + C with g = ∇ψ/ψ and C = −∇²ψ/ψ + diag(0, 1/y², 1/z²),
    /// whose x row and column vanish; eliminating x (the Schur complement of g_x² is the (y, z) block C₂ of C) gives
    ///     [∇²f]⁻¹ = [ψ² + hᵀKh, (Kh)ᵀ; Kh, K],   h = (log(z/y) − 1, y/z),
    ///     K = C₂⁻¹ = [y²(y + ψ), y²z; y²z, z²(y + ψ)]/(2y + ψ)   (det C₂ = (2y + ψ)/(y²z²ψ)).
    /// Unlike a numerical inverse it stays accurate near the boundary (ψ → 0), where ∇²f has condition ~1/ψ².
    /// </summary>
    public static Tensor InverseHessian(Tensor t)
    {
        var (_, y, z) = Split(t);
        var psi = Psi(t);
        var (_, hy, hz) = PsiGradient(t);
        var denominator = y.Times(2L).Plus(psi);
        var kyy = y * y * y.Plus(psi) / denominator;
        var kyz = y * y * z / denominator;
        var kzz = z * z * y.Plus(psi) / denominator;
        var khy = (kyy * hy).Plus(kyz * hz);
        var khz = (kyz * hy).Plus(kzz * hz);
        var corner = (psi * psi).Plus(hy * khy).Plus(hz * khz);
        return stack(
        [
            stack([corner, khy, khz], -1),
            stack([khy, kyy, kyz], -1),
            stack([khz, kyz, kzz], -1),
        ], -2);
    }

    /// <summary>Whether each triple is in the barrier's domain, the interior of K_exp: y &gt; 0, z &gt; 0, ψ &gt; 0 (…) bool.</summary>
    public static Tensor InDomain(Tensor t)
    {
        var (_, y, z) = Split(t);
        return y.gt(ScalarSafeOperations.Zero) & z.gt(ScalarSafeOperations.Zero) & Psi(t).gt(ScalarSafeOperations.Zero);
    }

    /// <summary>
    /// Whether each triple d = (u, v, w) is in the interior of K_exp* = cl{u &lt; 0, −u e^{v/u} ≤ e·w}:
    /// u &lt; 0, w &gt; 0 and v − u − u·log(w/(−u)) &gt; 0 (the same inequality after taking logarithms).
    /// </summary>
    public static Tensor InDualDomain(Tensor d)
    {
        var (u, v, w) = Split(d);
        return u.lt(ScalarSafeOperations.Zero) & w.gt(ScalarSafeOperations.Zero) & (v - u - u * (w / -u).log()).gt(ScalarSafeOperations.Zero);
    }

    /// <summary>
    /// ∇f*(d) = −x, where x ∈ int K_exp solves −∇f(x) = d (conjugacy: x = −∇f*(d) ⇔ d = −∇f(x); Nesterov and Todd
    /// 1997, §2). Writing the three equations −∇f(x) = (u, v, w) with r = log(z/y) and ψ = −1/u gives
    /// 1/y = v + u(r − 1) = w e^r + u, hence the scalar equation w e^r − u r = v − 2u (convex and increasing in r:
    /// Dahl and Andersen 2022, §3.1, reduce the conjugate to one variable the same way). With b = −u, c = v − 2u
    /// its root is r = c/b − ω(log(w/b) + c/b), ω the Wright omega function (ω + log ω = t). Then w e^r = bω, so
    ///     y = 1/(b(ω − 1)),   z = ω/(w(ω − 1)),   x = y·r − 1/b,   r = log ω + log(b/w),
    /// free of the cancellation in c/b − ω. ω &gt; 1 exactly when d ∈ int K_exp* (t &gt; 1). ω comes from
    /// <see cref="OmegaNewtonSteps"/> Newton steps on ℓ = log ω, G(ℓ) = e^ℓ + ℓ − t (convex, G' ≥ 1), from
    /// ℓ₀ = log t, which lies within log(1 + 1/e) &lt; 0.32 to the right of the root, so the iterates decrease
    /// monotonically and quadratically (error constant ≤ ½). NaN for d ∉ int K_exp*.
    /// </summary>
    public static Tensor DualGradient(Tensor d)
    {
        var (u, v, w) = Split(d);
        var inside = InDualDomain(d);
        var b = -u;
        var target = (w / b).log().Plus((v - u.Times(2L)) / b);
        var ell = target.AtLeast(1L).log();
        for (int i = 0; i < OmegaNewtonSteps; i++)
        {
            var e = ell.exp();
            ell = ell - (e.Plus(ell) - target) / e.Plus(1L);
        }
        var omega = ell.exp();
        var y = (b * omega.Minus(1L)).Into(1.0);
        var z = omega / (w * omega.Minus(1L));
        var x = y * ell.Plus((b / w).log()) - b.Into(1.0);
        var primal = stack([x, y, z], -1);
        return where(inside.unsqueeze(-1), -primal, ScalarSafeOperations.With(double.NaN, nan => full_like(primal, nan)));
    }

    /// <summary>
    /// The third-order term η = ½∇³f*(d)[Δz, (∇²f*(d))⁻¹Δs] of the central path s + μ∇f*(z) = 0 along an affine
    /// direction, per triple (…, 3) (Dahl and Andersen 2022, §5.2). Through the conjugate, with t = −∇f*(d) and
    /// H = ∇²f(t): ∇²f*(d) = H⁻¹ and ∇³f*(d)[a, b] = H⁻¹∇³f(t)[H⁻¹a, H⁻¹b], so η = ½H⁻¹∇³f(t)[H⁻¹Δz, Δs]
    /// (<see cref="ThirdDerivative"/>). NaN outside int K_exp*.
    /// </summary>
    public static Tensor ThirdOrderTerm(Tensor d, Tensor dz, Tensor ds)
    {
        var t = -DualGradient(d);
        var inverse = InverseHessian(t);
        var p = inverse.matmul(dz.unsqueeze(-1)).squeeze(-1);
        return inverse.matmul(ThirdDerivative(t, p, ds).unsqueeze(-1)).squeeze(-1).Times(0.5);
    }

    /// <summary>
    /// ∇³f(t)[p, q] per triple (…, 3). With ψ's gradient g = (−1, log(z/y) − 1, y/z), Hessian M (zero in the x row and
    /// column) and third derivative T: ∇³(−log ψ)[p, q] = −2(g·p)(g·q)g/ψ³ + ((g·q)Mp + (g·p)Mq + (pᵀMq)g)/ψ²
    /// − T[p, q]/ψ, plus −2p_y q_y/y³ and −2p_z q_z/z³ from −log y − log z.
    /// </summary>
    public static Tensor ThirdDerivative(Tensor t, Tensor p, Tensor q)
    {
        var (_, y, z) = Split(t);
        var psi = Psi(t);
        var (gx, gy, gz) = PsiGradient(t);
        var (px, py, pz) = Split(p);
        var (qx, qy, qz) = Split(q);
        var gp = (gx * px).Plus(gy * py).Plus(gz * pz);
        var gq = (gx * qx).Plus(gy * qy).Plus(gz * qz);
        var zz = z * z;
        Tensor M1(Tensor a, Tensor b) => (b / z) - (a / y);                 // (M·(·, a, b))_y
        Tensor M2(Tensor a, Tensor b) => (a / z) - (y * b / zz);            // (M·(·, a, b))_z
        var (mp1, mp2, mq1, mq2) = (M1(py, pz), M2(py, pz), M1(qy, qz), M2(qy, qz));
        var pmq = (py * mq1).Plus(pz * mq2);
        var t1 = (py * qy / (y * y)) - (pz * qz / zz);
        var t2 = (y * pz * qz / (zz * z)).Times(2L) - ((py * qz).Plus(pz * qy) / zz);
        var cubic = (gp * gq / (psi * psi * psi)).Times(-2L);
        var square = (psi * psi).Into(1.0);
        var rx = (cubic * gx).Plus(square * pmq * gx);
        var ry = (cubic * gy).Plus(square * ((gq * mp1).Plus(gp * mq1).Plus(pmq * gy))) - (t1 / psi) - (py * qy / (y * y * y)).Times(2L);
        var rz = (cubic * gz).Plus(square * ((gq * mp2).Plus(gp * mq2).Plus(pmq * gz))) - (t2 / psi) - (pz * qz / (zz * z)).Times(2L);
        return stack([rx, ry, rz], -1);
    }

    /// <summary>ψ = y·log(z/y) − x.</summary>
    private static Tensor Psi(Tensor t)
    {
        var (x, y, z) = Split(t);
        return y * (z / y).log() - x;
    }

    /// <summary>∇ψ = (−1, log(z/y) − 1, y/z).</summary>
    private static (Tensor X, Tensor Y, Tensor Z) PsiGradient(Tensor t)
    {
        var (x, y, z) = Split(t);
        return (-ones_like(x), (z / y).log().Minus(1L), y / z);
    }

    private static (Tensor X, Tensor Y, Tensor Z) Split(Tensor t) => (t.select(-1, 0), t.select(-1, 1), t.select(-1, 2));
}
