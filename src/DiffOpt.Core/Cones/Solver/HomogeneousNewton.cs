using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The Newton direction of the homogeneous embedding (Goulart and Chen 2024, §3; Clarabel's <c>kktsystem.rs</c>) for
/// the equilibrated data (P̂, Â, b̂, ĉ). The embedding's residuals are
///     rx = P̂x + Âᵀz + ĉτ,   rz = Âx + s − b̂τ,   rτ = κ + ĉᵀx + b̂ᵀz + xᵀP̂x/τ,
/// and a direction solves, for right-hand sides (dx, dz, dτ, ds, dκ),
///     P̂Δx + ÂᵀΔz + ĉΔτ = −dx,   ÂΔx + Δs − b̂Δτ = −dz,   (ĉ + 2P̂ξ)ᵀΔx + b̂ᵀΔz − ξᵀP̂ξΔτ + Δκ = −dτ  (ξ = x/τ),
///     HsΔz + Δs = −ds,   κΔτ + τΔκ = −dκ.
/// Eliminating Δs and Δκ leaves K[Δx; Δz] = [−dx − ĉΔτ; −dz + ds + b̂Δτ], so with K[x₁; z₁] = [−dx; −dz + ds] and the
/// iteration's constant K[x₂; z₂] = [−ĉ; b̂] (the second solve Clarabel does for the τ direction):
///     Δτ = (−dτ + dκ/τ − (ĉ + 2P̂ξ)ᵀx₁ − b̂ᵀz₁) / ((ĉ + 2P̂ξ)ᵀx₂ + b̂ᵀz₂ − ξᵀP̂ξ − κ/τ),
///     Δx = x₁ + Δτx₂,  Δz = z₁ + Δτz₂,  Δs = −ds − HsΔz,  Δκ = −(dκ + κΔτ)/τ.
/// Off the zero cones Δs is taken from the primal equation instead, Δs = −dz + b̂Δτ − ÂΔx (equal in exact
/// arithmetic): near the optimum Hs has entries of order 1/μ, and −ds − HsΔz would carry the KKT solve's error
/// times Hs into the primal residual, which then stalls near 1e-10 (measured on socp_small) while μ keeps falling.
/// </summary>
internal sealed class HomogeneousNewton
{
    private readonly ConeEquilibration _data;
    private readonly HomogeneousKkt _kkt;
    private readonly CompositeScaling _scaling;
    private readonly HomogeneousIterate _point;
    private readonly Tensor _x2;
    private readonly Tensor _z2;
    private readonly Tensor _gradient;   // ĉ + 2P̂ξ
    private readonly Tensor _curvature;  // ξᵀP̂ξ
    private readonly Tensor _zeroRows;   // (m,) bool, the zero cones' rows

    /// <summary>Prepares the directions at <paramref name="point"/>: solves for (x₂, z₂).</summary>
    /// <param name="data">The equilibrated data.</param>
    /// <param name="kkt">The iteration's factorised reduced KKT system.</param>
    /// <param name="scaling">The iteration's scaling Hs.</param>
    /// <param name="point">The current iterate.</param>
    /// <param name="zeroRows">(m,) bool: the rows of the zero cones (where s stays 0).</param>
    public HomogeneousNewton(ConeEquilibration data, HomogeneousKkt kkt, CompositeScaling scaling, HomogeneousIterate point, Tensor zeroRows)
    {
        _zeroRows = zeroRows;
        _data = data;
        _kkt = kkt;
        _scaling = scaling;
        _point = point;
        (_x2, _z2) = kkt.Solve(-data.C, data.B);
        var xi = point.X / point.Tau.unsqueeze(1);
        var pxi = Times(data.P, xi);
        _gradient = data.C.Plus(pxi.Times(2L));
        _curvature = Dot(xi, pxi);
    }

    /// <summary>The residuals (rx, rz, rτ) of the embedding at <paramref name="point"/>.</summary>
    public static (Tensor X, Tensor Z, Tensor Tau) Residuals(ConeEquilibration data, HomogeneousIterate point)
    {
        var px = Times(data.P, point.X);
        var rx = px.Plus(Times(data.A.transpose(1, 2), point.Z)).Plus(data.C * point.Tau.unsqueeze(1));
        var rz = Times(data.A, point.X).Plus(point.S) - data.B * point.Tau.unsqueeze(1);
        var rtau = point.Kappa.Plus(Dot(data.C, point.X)).Plus(Dot(data.B, point.Z)).Plus(Dot(point.X, px) / point.Tau);
        return (rx, rz, rtau);
    }

    /// <summary>The direction for right-hand sides (dx, dz, dτ, ds, dκ) (see the summary).</summary>
    public HomogeneousIterate Direction(Tensor dx, Tensor dz, Tensor dtau, Tensor ds, Tensor dkappa)
    {
        var (x1, z1) = _kkt.Solve(-dx, ds - dz);
        var tau = _point.Tau;
        var numerator = (-dtau).Plus(dkappa / tau) - Dot(_gradient, x1) - Dot(_data.B, z1);
        var denominator = Dot(_gradient, _x2).Plus(Dot(_data.B, _z2)) - _curvature - _point.Kappa / tau;
        var dTau = numerator / denominator;
        var column = dTau.unsqueeze(1);
        var deltaX = x1.Plus(column * _x2);
        var deltaZ = z1.Plus(column * _z2);
        var fromPrimal = (-dz).Plus(column * _data.B) - Times(_data.A, deltaX);
        var deltaS = where(_zeroRows, -ds - _scaling.MulHs(deltaZ), fromPrimal);
        var deltaKappa = -dkappa.Plus(_point.Kappa * dTau) / tau;
        return new HomogeneousIterate(deltaX, deltaS, deltaZ, dTau, deltaKappa);
    }

    /// <summary>M·v per item for M (B, r, c) (null: 0) and v (B, c).</summary>
    internal static Tensor Times(Tensor? matrix, Tensor v) =>
        matrix is null ? zeros_like(v) : matrix.matmul(v.unsqueeze(2)).squeeze(2);

    /// <summary>Per-item inner products (B,).</summary>
    internal static Tensor Dot(Tensor a, Tensor b) => (a * b).sum(1);
}
