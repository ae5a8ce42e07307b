using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The cone side of the homogeneous interior-point method (Clarabel's <c>cones/mod.rs</c> contract, batched): the
/// scaling Hs, the shift ds of the linearised centrality condition Hs·Δz + Δs = −ds for the combined step, the step to
/// the boundary of the symmetric cones and the domain and neighbourhood test of the exponential cones.
/// </summary>
/// <remarks>
/// Affine step: ds = s for every cone (symmetric: linearising λ∘(WΔz + W⁻ᵀΔs) = −λ∘λ and applying Wᵀ gives
/// HsΔz + Δs = −Wᵀλ = −s; nonsymmetric: the target s = 0 of s + μ∇f*(z) = 0 at μ = 0).
/// Combined step, symmetric cones (Mehrotra; Vandenberghe 2010, §5.3): ds = Wᵀ(λ \ (λ∘λ + η − σμe)) with the
/// second-order term η = (W⁻ᵀΔs_a)∘(WΔz_a) of the affine direction. Exponential cones (Dahl and Andersen 2022, §5):
/// the central path is s = −μ∇f*(z), so ds = s + σμ∇f*(z) − w·η with their third-order corrector
/// η = ½∇³f*(z)[Δz_a, (∇²f*(z))⁻¹Δs_a], weighted by the affine step length w = α_a (η is the second-order term of the
/// path along the whole affine direction, of which only α_a can be followed).
/// Zero cones: ds = 0 and Hs = 0, so Δs = 0 and s stays 0.
/// </remarks>
internal sealed class HomogeneousCones
{
    /// <summary>
    /// Largest accepted exponential-cone proximity per triple (the average of
    /// <see cref="ExponentialInteriorPoint.Centrality"/> over the triples), unless the current point is already further.
    /// Measured on the planted exponential and mixed programs and the entropy programs: with 1 the steps are cut so
    /// often that they take 22–63 iterations and one item hits the limit of 100; with 10 they take 11–22, the same as
    /// with no limit, which still guards against a step that jumps far from the path.
    /// </summary>
    internal const double ExponentialProximityLimit = 10;

    private readonly ICone[] _math;

    /// <summary>The arithmetic of <paramref name="cones"/>.</summary>
    public HomogeneousCones(IReadOnlyList<Cone> cones)
    {
        InteriorPoint = new CompositeInteriorPointCone(cones);
        _math = cones.Select(ConeMath.For).ToArray();
        Exponential = InteriorPoint.Cones.Select((cone, i) => (cone, i))
            .Where(p => p.cone is ExponentialInteriorPoint).Select(p => p.i).ToArray();
    }

    /// <summary>(m,) bool on <paramref name="device"/>: the rows that belong to zero cones.</summary>
    public Tensor ZeroRows(Device device)
    {
        var rows = zeros(InteriorPoint.Rows, dtype: ScalarType.Bool, device: device);
        for (int i = 0; i < InteriorPoint.Cones.Count; i++)
            if (InteriorPoint.Cones[i] is ZeroInteriorPoint) rows.narrow(0, InteriorPoint.Offsets[i], InteriorPoint.Cones[i].Rows).fill_(ScalarSafeOperations.One);
        return rows;
    }

    /// <summary>The interior-point arithmetic of the product.</summary>
    public CompositeInteriorPointCone InteriorPoint { get; }

    /// <summary>The indices of the exponential cones.</summary>
    public IReadOnlyList<int> Exponential { get; }

    /// <summary>ν, the product's degree.</summary>
    public int Degree => InteriorPoint.Degree;

    /// <summary>The scaling at (s, z), per cone.</summary>
    public CompositeScaling Scale(Tensor s, Tensor z) => (CompositeScaling)InteriorPoint.Scale(s, z);

    /// <summary>
    /// ds of the combined step (see remarks) for the affine direction <paramref name="affine"/> and σμ (B,), with the
    /// exponential cones' third-order term weighted by <paramref name="correction"/> (B,) (null: none).
    /// </summary>
    public Tensor CombinedShift(Tensor s, Tensor z, CompositeScaling scaling, HomogeneousIterate affine, Tensor sigmaMu, Tensor? correction)
    {
        var parts = new Tensor[InteriorPoint.Cones.Count];
        var target = sigmaMu.unsqueeze(1);
        for (int i = 0; i < parts.Length; i++)
        {
            var (cone, sBlock, zBlock) = (InteriorPoint.Cones[i], Block(s, i), Block(z, i));
            parts[i] = cone switch
            {
                ISymmetricInteriorPointCone symmetric => SymmetricShift(symmetric, (INesterovToddScaling)scaling.Parts[i],
                    Block(affine.S, i), Block(affine.Z, i), target),
                ExponentialInteriorPoint exponential => correction is null
                    ? sBlock.Plus(target * exponential.DualGradient(zBlock))
                    : sBlock.Plus(target * exponential.DualGradient(zBlock))
                        - correction.unsqueeze(1) * exponential.ThirdOrderTerm(zBlock, Block(affine.Z, i), Block(affine.S, i)),
                _ => zeros_like(sBlock),
            };
        }
        return parts.Length == 0 ? zeros_like(s) : cat(parts, 1);
    }

    /// <summary>
    /// The largest α (B,) with s + αΔs ∈ K and z + αΔz ∈ K* over the symmetric cones (self-dual; the zero cone's dual
    /// is free); +∞ when none limits it. Exponential cones are left to <see cref="ExponentialAcceptable"/>.
    /// </summary>
    /// <remarks>Items with a non-finite direction are measured along 0 (a batched eigensolver fails on NaN); their step is unusable anyway.</remarks>
    public Tensor SymmetricStep(Tensor s, Tensor ds, Tensor z, Tensor dz)
    {
        var finite = ds.isfinite().all(1, keepdim: true) & dz.isfinite().all(1, keepdim: true);
        ds = where(finite, ds, zeros_like(ds));
        dz = where(finite, dz, zeros_like(dz));
        var step = ConeArguments.Unbounded(s);
        for (int i = 0; i < _math.Length; i++)
        {
            if (InteriorPoint.Cones[i] is not ISymmetricInteriorPointCone) continue;
            step = minimum(step, _math[i].StepToBoundary(Block(s, i), Block(ds, i)));
            step = minimum(step, _math[i].StepToBoundary(Block(z, i), Block(dz, i)));
        }
        return step;
    }

    /// <summary>
    /// (B,) bool: every exponential triple of s is in the interior of K_exp and of z in the interior of K_exp*, and,
    /// when <paramref name="ceiling"/> is given, the mean proximity per triple (<see cref="Proximity"/>) is at most it.
    /// </summary>
    public Tensor ExponentialAcceptable(Tensor s, Tensor z, Tensor? ceiling)
    {
        var ok = ones(s.shape[0], dtype: ScalarType.Bool, device: s.device);
        foreach (int i in Exponential)
        {
            var cone = (ExponentialInteriorPoint)InteriorPoint.Cones[i];
            ok &= cone.InBarrierDomain(Block(s, i)) & cone.InDualBarrierDomain(Block(z, i));
        }
        if (ceiling is not null)
        {
            var proximity = Proximity(s, z);
            ok &= proximity.isfinite() & (proximity <= ceiling);
        }
        return ok;
    }

    /// <summary>
    /// The exponential cones' distance from their central path (B,): the mean over triples of
    /// <see cref="ExponentialInteriorPoint.Centrality"/> (0 on the path); NaN outside the domains.
    /// </summary>
    public Tensor Proximity(Tensor s, Tensor z)
    {
        var total = zeros(s.shape[0], dtype: s.dtype, device: s.device);
        int triples = 0;
        foreach (int i in Exponential)
        {
            var cone = (ExponentialInteriorPoint)InteriorPoint.Cones[i];
            total = total.Plus(cone.Centrality(Block(s, i), Block(z, i)));
            triples += cone.Rows / 3;
        }
        return triples == 0 ? total : total.DividedBy(triples);
    }

    /// <summary>ds = Wᵀ(λ \ (λ∘λ + η − σμe)), η = (W⁻ᵀΔs_a)∘(WΔz_a).</summary>
    private static Tensor SymmetricShift(ISymmetricInteriorPointCone cone, INesterovToddScaling w, Tensor dsAffine, Tensor dzAffine,
        Tensor sigmaMu)
    {
        // Items whose scaling broke down (NaN λ, e.g. a failed Cholesky factor) get λ = e here so that a batched
        // eigendecomposition cannot fail for the whole batch; their K is not finite, so their step is discarded.
        var unit = cone.UnitElement(w.Lambda.dtype, w.Lambda.device).unsqueeze(0);
        var lambda = where(w.Lambda.isfinite().all(1, keepdim: true), w.Lambda, unit.expand_as(w.Lambda));
        var eta = cone.JordanProduct(w.ApplyInverseTranspose(dsAffine), w.Apply(dzAffine));
        eta = where(eta.isfinite(), eta, zeros_like(eta));
        var shift = cone.JordanProduct(lambda, lambda).Plus(eta) - sigmaMu * unit;
        return w.ApplyTranspose(cone.JordanDivide(lambda, shift));
    }

    /// <summary>Cone <paramref name="i"/>'s rows of v (B, m).</summary>
    private Tensor Block(Tensor v, int i) => v.narrow(1, InteriorPoint.Offsets[i], InteriorPoint.Cones[i].Rows);
}
