using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Reverse-mode derivative of the QP solution map by implicit differentiation of the KKT conditions
/// (Amos and Kolter, "OptNet", §3, eqs. 6-8). With s = h − Gz* and W = diag(s/λ*), the differential of
/// <code>
///   Qz + p + Gᵀλ + Aᵀν = 0,   D(λ)(Gz − h) = 0,   Az = b
/// </code>
/// scaled by D(λ)⁻¹ in its second row gives the symmetric system
/// <code>
///   [ Q   Gᵀ   Aᵀ ] [d_z]   [−∂ℓ/∂z]
///   [ G   −W   0  ] [d_λ] = [   0   ]
///   [ A   0    0  ] [d_ν]   [   0   ]
/// </code>
/// and the gradients ∇_p = d_z, ∇_Q = ½(d_z zᵀ + z d_zᵀ), ∇_G = λ d_zᵀ + d_λ zᵀ, ∇_h = −d_λ,
/// ∇_A = ν d_zᵀ + d_ν zᵀ, ∇_b = −d_ν. The system is solved in the solver's scaled space (it is
/// T·M·T with T = diag(D, E_G, E_A), see <see cref="RuizEquilibration"/>) with the final interior-point
/// iterate standing in for (z*, λ*, s) and its active set deciding W (0 on active rows, ∞ on inactive ones, as
/// at an exact strictly complementary solution): one Cholesky of the condensed operator, then iterative
/// refinement against the unregularised system. The forward pass's last factorisation is not reused: it holds
/// PIQP's regularisation, which refinement from it cannot remove where the active rows' weights are far smaller.
/// </summary>
internal static class QpSensitivity
{
    private const int MaxRefinementSteps = 20;

    /// <summary>
    /// Gradients of ℓ with respect to the (broadcast) problem data, given ∂ℓ/∂z (B,n); null where not
    /// <paramref name="needed"/>. Each item's KKT solve is checked: its relative residual ‖r‖∞ / ‖rhs‖∞ (after
    /// refinement) is reported, an item above <paramref name="tolerance"/> is solved again (float64: with the primal
    /// KKT form, a different factorisation; float32: in float64), and an item still above it gets zero gradient and is
    /// reported untrusted.
    /// </summary>
    public static (Tensor?[] Gradients, BackwardCheck Check) Backward(QpDerivativeState state, Tensor gradX, bool[] needed, double tolerance)
    {
        using var phase = PhaseTimer.Measure("backward (the rest)", gradX.size(0));
        var scaling = state.Scaling;
        var it = state.ScaledIterate;
        var limits = NumericLimits.For(gradX.dtype);
        // Active set of the solution: a row is active where its (scaled) multiplier exceeds its slack. Active rows
        // keep W = s/λ (→ 0, floored); inactive rows drop out (W → ∞), so a small multiplier left on an inactive
        // row by the interior-point iterate cannot bias the derivative.
        var w = ActiveSetKkt.Weights(ActiveSetKkt.ActiveRows(it),
            (it.S.AtLeast(0L) / it.Z.AtLeast(limits.MachineEpsilon)).AtLeast(limits.DerivativeWeightFloor));
        var zero = zeros(it.X.size(0), dtype: gradX.dtype, device: gradX.device);
        var rhs = new KktVector(-scaling.D * gradX, zeros_like(it.Y), zeros_like(it.Z));
        var target = new KktParameters(zero, zero, w);
        var rhsNorm = rhs.InfNorm();
        var (d, relative) = Relative(SolveAtSolution(state.Kkt, w, target, rhs, limits), rhsNorm);
        var retry = relative.GreaterThan(tolerance) & state.Usable;
        if (HostMask.Any(retry))
        {
            var (again, againRelative) = gradX.dtype == ScalarType.Float64
                ? Relative(SolveAtSolution(new PrimalKktSolver(state.Scaled), w, target, rhs, limits), rhsNorm)
                : SolveInDouble(state.Scaled, w, rhs);
            var better = retry & (againRelative < relative);
            d = KktVector.Select(better, again, d);
            relative = where(better, againRelative, relative);
        }
        var trusted = state.Usable & relative.LessOrEqual(tolerance);
        using var gradientPhase = PhaseTimer.Measure("backward gradients of the data", gradX.size(0));

        // Untrusted items get zero gradients; when the host sees every item trusted (the common case) the weight is 1.
        Tensor Weighted(Tensor v) => HostMask.OnHost(trusted) && HostMask.All(trusted) ? v : v * trusted.to(gradX.dtype).unsqueeze(-1);
        var dz = Weighted(scaling.D * d.X);
        var dLambda = Weighted(scaling.EG * d.Z);
        var dNu = Weighted(scaling.EA * d.Y);
        var z = scaling.UnscalePrimal(it.X);
        var lambda = scaling.UnscaleInequalityDual(it.Z);
        var nu = scaling.UnscaleEqualityDual(it.Y);

        // Gradients with respect to the caller's data: the normalisation multiplies each item's Q and p by its cost
        // factor and each row of G, h (A, b) by its row factor, so those factors scale the vectors on that side.
        // Without a normalisation every factor is 1 and is left out (x·1 = x exactly).
        var normalization = state.Normalization;
        Tensor Cost(Tensor v) => normalization is null ? v : Batched.PerItem(normalization.Cost) * v;
        Tensor HalfCost(Tensor v) => normalization is null ? v.Times(0.5) : Batched.PerItem(normalization.Cost).Times(0.5) * v;
        Tensor Rows(Tensor v) => normalization is null ? v : normalization.InequalityRows * v;
        Tensor EqualityRows(Tensor v) => normalization is null ? v : normalization.EqualityRows * v;
        var batched = state.Problem.IsBatched;
        var grads = new Tensor?[6];
        if (needed[0]) grads[0] = OuterSum(batched[0], HalfCost(dz), z, HalfCost(z), dz);
        if (needed[1]) grads[1] = Cost(dz);
        if (needed[2]) grads[2] = OuterSum(batched[2], Rows(lambda), dz, Rows(dLambda), z);
        if (needed[3]) grads[3] = -Rows(dLambda);
        if (needed[4]) grads[4] = OuterSum(batched[4], EqualityRows(nu), dz, EqualityRows(dNu), z);
        if (needed[5]) grads[5] = -EqualityRows(dNu);
        foreach (int vector in new[] { 1, 3, 5 })
            if (grads[vector] is not null && !batched[vector]) grads[vector] = grads[vector]!.sum(dim: 0);
        return (grads, new BackwardCheck(relative, trusted));
    }

    /// <summary>
    /// The float32 retry: the same system solved in float64 (mixed precision), where refinement against the
    /// unregularised operator converges; the solution is returned in float32 with its float64 relative residual.
    /// </summary>
    private static (KktVector Solution, Tensor RelativeResidual) SolveInDouble(ScaledQp qp, Tensor w, KktVector rhs)
    {
        static Tensor D(Tensor t) => t.to_type(ScalarType.Float64);
        var qp64 = new ScaledQp(D(qp.P).contiguous(), D(qp.C), D(qp.A).contiguous(), D(qp.B), D(qp.G).contiguous(), D(qp.H));
        var limits = NumericLimits.For(ScalarType.Float64);
        var zero = zeros(qp.BatchSize, dtype: ScalarType.Float64, device: qp.C.device);
        var rhs64 = new KktVector(D(rhs.X), D(rhs.Y), D(rhs.Z));
        // The primal form serves every item, so the retry's form does not depend on the item's batch companions.
        var (solution, residual) = Relative(SolveAtSolution(new PrimalKktSolver(qp64), D(w), new KktParameters(zero, zero, D(w)), rhs64, limits), rhs64.InfNorm());
        var dtype = rhs.X.dtype;
        return (new KktVector(solution.X.to_type(dtype), solution.Y.to_type(dtype), solution.Z.to_type(dtype)), residual.to_type(dtype));
    }

    /// <summary>A solve's residual relative to its right-hand side's norm (0 where the right-hand side is 0).</summary>
    private static (KktVector Solution, Tensor RelativeResidual) Relative((KktVector Solution, Tensor Residual) solve, Tensor rhsNorm) =>
        (solve.Solution, where(rhsNorm.GreaterThan(0L), solve.Residual / rhsNorm, zeros_like(solve.Residual)));

    /// <summary>
    /// Factorises <paramref name="kkt"/> at the solution (weights <paramref name="w"/>), unless it holds that
    /// factorisation already (polishing leaves it at a polished point), and solves with refinement against
    /// <paramref name="target"/>.
    /// </summary>
    private static (KktVector Solution, Tensor Residual) SolveAtSolution(KktSolver kkt, Tensor w, KktParameters target, KktVector rhs, NumericLimits limits)
    {
        var regularization = zeros_like(target.Rho).Plus(limits.RegularizationFloor);
        if (!ActiveSetKkt.HoldsFactorization(kkt, w, regularization)) ActiveSetKkt.Factor(kkt, w, regularization);
        return kkt.SolveAccurately(target, rhs, MaxRefinementSteps, 10 * limits.MachineEpsilon);
    }

    /// <summary>
    /// a₁b₁ᵀ + a₂b₂ᵀ for (B,r) a's and (B,c) b's: per item (B,r,c) when <paramref name="perItem"/>, as one
    /// (B,r,2)·(B,2,c) product that writes the result once; otherwise its sum over the batch (r,c), the gradient of
    /// a matrix shared by the batch, as two (r,B)·(B,c) products with no (B,r,c) temporary.
    /// </summary>
    private static Tensor OuterSum(bool perItem, Tensor a1, Tensor b1, Tensor a2, Tensor b2) => perItem
        ? stack(new[] { a1, a2 }, -1).bmm(stack(new[] { b1, b2 }, -2))
        : a1.t().matmul(b1).PlusInPlace(a2.t().matmul(b2));
}

/// <summary>Per item: the relative residual ‖r‖∞/‖rhs‖∞ of the backward KKT solve (B,), and whether it met the tolerance and the item has a usable solution (B,) bool.</summary>
internal sealed record BackwardCheck(Tensor RelativeResidual, Tensor Trusted);
