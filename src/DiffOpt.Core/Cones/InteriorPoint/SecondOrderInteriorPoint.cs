using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of the second-order cone Q = {(t, u) : ‖u‖ ≤ t}: degree 1, e = (1, 0, …, 0), the
/// Jordan product (x, y) ↦ (xᵀy, x₀y₁ + y₀x₁) (Vandenberghe 2010, §2.2) and the Nesterov–Todd scaling
/// <see cref="SecondOrderScaling"/>.
/// </summary>
internal sealed class SecondOrderInteriorPoint(SecondOrderCone cone) : ISymmetricInteriorPointCone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <summary>
    /// 1: with this Jordan product ⟨s, z⟩ = (s ∘ z)₀, so s ∘ z = μe gives ⟨s, z⟩ = μ; the matching barrier
    /// −½log(t² − ‖u‖²) has ⟨−∇f(s), s⟩ = 1 (CVXOPT's and ECOS's degree; Clarabel's <c>socone.rs</c>).
    /// </summary>
    public int Degree => 1;

    /// <summary>(1, 0, …, 0).</summary>
    public Tensor UnitElement(ScalarType dtype, Device device)
    {
        var e = zeros(Rows, dtype: dtype, device: device);
        e[0] = 1;
        return e;
    }

    /// <inheritdoc />
    public INesterovToddScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        return new SecondOrderScaling(s, z, cone);
    }

    /// <summary>a ∘ u = (aᵀu, a₀u₁ + u₀a₁).</summary>
    public Tensor JordanProduct(Tensor a, Tensor u)
    {
        InteriorPointArguments.CheckPair(a, nameof(a), u, nameof(u), Rows, cone);
        var (a0, a1) = Split(a);
        var (u0, u1) = Split(u);
        return cat([InteriorPointArguments.Dot(a, u).unsqueeze(1), (a0 * u1).Plus(u0 * a1)], 1);
    }

    /// <summary>
    /// λ \ u in closed form (ECOS's <c>conicDivision</c>): with ρ = λ₀² − ‖λ₁‖² and ν = λ₁ᵀu₁,
    /// x₀ = (λ₀u₀ − ν)/ρ and x₁ = ((ν/λ₀ − u₀)/ρ)λ₁ + u₁/λ₀; substituting gives λ ∘ x = u.
    /// </summary>
    public Tensor JordanDivide(Tensor lambda, Tensor u)
    {
        InteriorPointArguments.CheckPair(lambda, nameof(lambda), u, nameof(u), Rows, cone);
        var (l0, l1) = Split(lambda);
        var (u0, u1) = Split(u);
        var norm1 = l1.norm(1, keepdim: true);
        var rho = (l0 - norm1) * l0.Plus(norm1);
        var nu = InteriorPointArguments.Dot(l1, u1).unsqueeze(1);
        var x0 = (l0 * u0 - nu) / rho;
        var x1 = ((nu / l0 - u0) / rho * l1).Plus(u1 / l0);
        return cat([x0, x1], 1);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    /// <summary>(x₀ as (B, 1), x₁ as (B, n − 1)).</summary>
    internal static (Tensor Head, Tensor Tail) Split(Tensor x) => (x.narrow(1, 0, 1), x.narrow(1, 1, x.shape[1] - 1));
}
