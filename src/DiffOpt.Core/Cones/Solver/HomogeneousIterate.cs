using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A point (x, s, z, τ, κ) of the homogeneous embedding of a batch of (equilibrated) cone programs, or a direction in
/// that space (Clarabel's <c>variables.rs</c>): X (B, n), S and Z (B, m), Tau and Kappa (B,). z is the dual y.
/// </summary>
internal sealed record HomogeneousIterate(Tensor X, Tensor S, Tensor Z, Tensor Tau, Tensor Kappa)
{
    /// <summary>
    /// The start of Clarabel and ECOS for a unit-scaled problem: x = 0, s = z = e (the cones' unit elements; 0 on zero
    /// cones), τ = κ = 1, on the central path with μ = 1.
    /// </summary>
    public static HomogeneousIterate Start(CompositeInteriorPointCone cones, long batch, long variables, Device device)
    {
        var unit = cones.UnitElement(ScalarType.Float64, device).unsqueeze(0).expand(batch, cones.Rows).clone();
        var one = ones(batch, dtype: ScalarType.Float64, device: device);
        return new(zeros(batch, variables, dtype: ScalarType.Float64, device: device), unit, unit.clone(), one, one.clone());
    }

    /// <summary>This point plus α (B,) times <paramref name="direction"/>.</summary>
    public HomogeneousIterate Step(HomogeneousIterate direction, Tensor alpha)
    {
        var column = alpha.unsqueeze(1);
        return new(X.Plus(column * direction.X), S.Plus(column * direction.S), Z.Plus(column * direction.Z),
            Tau.Plus(alpha * direction.Tau), Kappa.Plus(alpha * direction.Kappa));
    }

    /// <summary>Per item, this point where <paramref name="keep"/> (B,) is true and <paramref name="other"/> elsewhere.</summary>
    public HomogeneousIterate Where(Tensor keep, HomogeneousIterate other)
    {
        var column = keep.unsqueeze(1);
        return new(where(column, X, other.X), where(column, S, other.S), where(column, Z, other.Z),
            where(keep, Tau, other.Tau), where(keep, Kappa, other.Kappa));
    }

    /// <summary>This point with its tensors moved to the enclosing dispose scope (TorchSharp's MoveToOuterDisposeScope).</summary>
    public HomogeneousIterate MoveToOuterDisposeScope() => new(X.MoveToOuterDisposeScope(), S.MoveToOuterDisposeScope(),
        Z.MoveToOuterDisposeScope(), Tau.MoveToOuterDisposeScope(), Kappa.MoveToOuterDisposeScope());

    /// <summary>(B,) bool: whether every entry of the item is finite.</summary>
    public Tensor IsFinite() =>
        X.isfinite().all(1) & S.isfinite().all(1) & Z.isfinite().all(1) & Tau.isfinite() & Kappa.isfinite();

    /// <summary>μ = (sᵀz + τκ)/(ν + 1) per item, ν the cones' degree.</summary>
    public Tensor Mu(int degree) => (S * Z).sum(1).Plus(Tau * Kappa).DividedBy(degree + 1);
}
