using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of a product of exponential cones (triples (x, y, z) of consecutive rows), a
/// nonsymmetric cone: no Nesterov–Todd point or Jordan algebra, but the barrier <see cref="ExponentialBarrier"/>,
/// its conjugate's gradient and the primal–dual scaling of Dahl and Andersen (<see cref="ExponentialScaling"/>), as
/// in Clarabel's <c>expcone.rs</c> and <c>nonsymmetric_common.rs</c>. Batched over (B, 3·Count).
/// </summary>
internal sealed class ExponentialInteriorPoint(ExponentialCone cone) : IInteriorPointCone
{
    /// <summary>
    /// The central point of one exponential cone for f, the fixed point s = −∇f(s) (so s = z = e is on the central
    /// path with μ = 1), computed to 40 digits by Newton's method on ∇f(s) + s = 0 (the same point as Hypatia's
    /// exponential-cone initial point, reordered). Clarabel's (−1.051383945, 0.556409619, 1.258967884) is the
    /// fixed point of its closed-form dual barrier instead; for f it is interior but off-centre
    /// (−∇f = (−0.664, 1.675, 1.088) there).
    /// </summary>
    internal static readonly double[] CentralTriple = [-0.8278383990656786, 0.8051020015847954, 1.290927709856958];

    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <summary>3 per cone: f is 3-logarithmically homogeneous, ⟨−∇f(s), s⟩ = 3.</summary>
    public int Degree => checked(3 * cone.Count);

    /// <summary><see cref="CentralTriple"/> repeated for each cone.</summary>
    public Tensor UnitElement(ScalarType dtype, Device device) =>
        tensor(CentralTriple, dtype: dtype, device: device).repeat(cone.Count);

    /// <summary>Σ f over the triples, per item (B,); NaN or +∞ for items outside the interior.</summary>
    public Tensor Barrier(Tensor s) => ExponentialBarrier.Value(Triples(s, nameof(s))).sum(1);

    /// <summary>Σ f* over the triples of a dual point z, per item (B,) (<see cref="ExponentialBarrier.DualValue"/>).</summary>
    public Tensor DualBarrier(Tensor z) => ExponentialBarrier.DualValue(Triples(z, nameof(z))).sum(1);

    /// <summary>
    /// The barrier proximity of (s, z) to the central path, per item (B,): with F = Σf, ν = <see cref="Degree"/> and
    /// μ = ⟨s, z⟩/ν, ν·log μ + ν + F(s) + F*(z) ≥ 0, with equality exactly when z = −μ∇F(s) (Nesterov and Todd 1997,
    /// §3: F(s) + F*(z) ≥ −ν log(⟨s, z⟩/ν) − ν; Clarabel's <c>compute_barrier</c> neighbourhood uses the same sum).
    /// The nonsymmetric counterpart of <see cref="ISymmetricInteriorPointCone.Centrality"/>.
    /// </summary>
    /// <exception cref="ArgumentException">s or z is not (B, Rows), or they differ in dtype or device.</exception>
    public Tensor Centrality(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        var mu = InteriorPointArguments.Dot(s, z).DividedBy(Degree);
        return mu.log().Plus(1L).Times(Degree).Plus(Barrier(s)).Plus(DualBarrier(z));
    }

    /// <summary>∇f per triple, (B, Rows).</summary>
    public Tensor Gradient(Tensor s) => Flat(ExponentialBarrier.Gradient(Triples(s, nameof(s))));

    /// <summary>∇²f per triple, the diagonal blocks (B, Count, 3, 3) of the block-diagonal Hessian.</summary>
    public Tensor Hessian(Tensor s) => ExponentialBarrier.Hessian(Triples(s, nameof(s)));

    /// <summary>[∇²f]⁻¹ per triple in closed form, (B, Count, 3, 3) (<see cref="ExponentialBarrier.InverseHessian"/>).</summary>
    public Tensor InverseHessian(Tensor s) => ExponentialBarrier.InverseHessian(Triples(s, nameof(s)));

    /// <summary>∇f* per triple of a dual point z (B, Rows) (<see cref="ExponentialBarrier.DualGradient"/>).</summary>
    public Tensor DualGradient(Tensor z) => Flat(ExponentialBarrier.DualGradient(Triples(z, nameof(z))));

    /// <summary>
    /// The third-order term ½∇³f*(z)[Δz, (∇²f*(z))⁻¹Δs] per triple (B, Rows) (<see cref="ExponentialBarrier.ThirdOrderTerm"/>),
    /// 0 on triples where it is not finite.
    /// </summary>
    public Tensor ThirdOrderTerm(Tensor z, Tensor dz, Tensor ds)
    {
        var eta = ExponentialBarrier.ThirdOrderTerm(Triples(z, nameof(z)), Triples(dz, nameof(dz)), Triples(ds, nameof(ds)));
        return Flat(where(eta.isfinite().all(-1, keepdim: true), eta, zeros_like(eta)));
    }

    /// <summary>Whether every triple of s (B, Rows) is in the interior of K_exp (the barrier's domain), (B,) bool.</summary>
    public Tensor InBarrierDomain(Tensor s) => ExponentialBarrier.InDomain(Triples(s, nameof(s))).all(1);

    /// <summary>Whether every triple of z (B, Rows) is in the interior of K_exp*, (B,) bool.</summary>
    public Tensor InDualBarrierDomain(Tensor z) => ExponentialBarrier.InDualDomain(Triples(z, nameof(z))).all(1);

    /// <summary>The Dahl–Andersen scaling (<see cref="ExponentialScaling"/>).</summary>
    public IConeScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        return new ExponentialScaling(Triples(s, nameof(s)), Triples(z, nameof(z)), cone);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    private Tensor Triples(Tensor v, string parameterName)
    {
        ConeArguments.CheckBatch(v, Rows, parameterName, cone);
        return v.reshape(v.shape[0], cone.Count, 3);
    }

    private static Tensor Flat(Tensor triples) => triples.reshape(triples.shape[0], -1);
}
