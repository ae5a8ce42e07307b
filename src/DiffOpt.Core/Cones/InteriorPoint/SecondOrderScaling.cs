using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The Nesterov–Todd scaling of a second-order cone (CONES.md; ECOS; Vandenberghe 2010, §4.2). With
/// J = diag(1, −1, …, −1), s̄ = s/√(sᵀJs), z̄ = z/√(zᵀJz), γ = √((1 + z̄ᵀs̄)/2), w̄ = (s̄ + Jz̄)/(2γ) = (a, q) and
/// η = (sᵀJs/zᵀJz)^{1/4}:
///     W = η [a, qᵀ; q, I + qqᵀ/(1 + a)],   W⁻¹ = (1/η) [a, −qᵀ; −q, I + qqᵀ/(1 + a)],   W = Wᵀ,
/// and Hs = W² = η²(2w̄w̄ᵀ − J) = η²(I + uuᵀ − vvᵀ) with u = √2 w̄ and v = √2 e₁ (identity plus rank two:
/// <see cref="Parts"/>). Stored as η, a, q only: O(n) per item.
/// </summary>
internal sealed class SecondOrderScaling : INesterovToddScaling
{
    private readonly Tensor _eta;   // (B, 1)
    private readonly Tensor _a;     // (B, 1)
    private readonly Tensor _q;     // (B, n − 1)
    private readonly object _cone;

    /// <summary>The scaling at s, z (B, n) (shapes checked by the caller); NaN for items outside the interior of Q.</summary>
    public SecondOrderScaling(Tensor s, Tensor z, object cone)
    {
        _cone = cone;
        var sJs = JNorm2(s);
        var zJz = JNorm2(z);
        var sBar = s / sJs.sqrt();
        var zBar = z / zJz.sqrt();
        var gamma = InteriorPointArguments.Dot(zBar, sBar).unsqueeze(1).Plus(1L).DividedBy(2).sqrt();
        var (s0, s1) = SecondOrderInteriorPoint.Split(sBar);
        var (z0, z1) = SecondOrderInteriorPoint.Split(zBar);
        _a = s0.Plus(z0) / gamma.Times(2L);
        _q = (s1 - z1) / gamma.Times(2L);
        _eta = (sJs / zJz).Power(0.25);
        Lambda = Apply(z);
    }

    /// <summary>λ = W z.</summary>
    public Tensor Lambda { get; }

    /// <summary>
    /// The parts of Hs = η²(I + uuᵀ − vvᵀ): Scale = η² (B,), Plus = u = √2 w̄ (B, n), Minus = v = √2 e₁ (B, n),
    /// for a sparse reduced KKT matrix that keeps the cone's block as a diagonal plus two rank-one terms.
    /// </summary>
    public (Tensor Scale, Tensor Plus, Tensor Minus) Parts()
    {
        var plus = cat([_a, _q], 1).Times(Math.Sqrt(2));
        var minus = zeros_like(plus);
        minus.select(1, 0).FillInPlace(Math.Sqrt(2));
        return ((_eta * _eta).squeeze(1), plus, minus);
    }

    /// <inheritdoc />
    public Tensor Apply(Tensor u) => _eta * Multiply(Checked(u), 1);

    /// <summary>Same as <see cref="Apply"/>: W is symmetric.</summary>
    public Tensor ApplyTranspose(Tensor u) => Apply(u);

    /// <inheritdoc />
    public Tensor ApplyInverse(Tensor u) => Multiply(Checked(u), -1) / _eta;

    /// <summary>Same as <see cref="ApplyInverse"/>: W is symmetric.</summary>
    public Tensor ApplyInverseTranspose(Tensor u) => ApplyInverse(u);

    /// <summary>η²(2w̄(w̄ᵀu) − Ju), without forming W².</summary>
    public Tensor MulHs(Tensor u)
    {
        var w = cat([_a, _q], 1);
        var ju = Checked(u) * Signs(u);
        return _eta * _eta * (w.Times(2L) * InteriorPointArguments.Dot(w, u).unsqueeze(1) - ju);
    }

    /// <summary>η²(2w̄w̄ᵀ − J) per item.</summary>
    public Tensor DenseHs()
    {
        var w = cat([_a, _q], 1);
        var eta2 = (_eta * _eta).unsqueeze(2);
        return eta2 * (w.unsqueeze(2).Times(2L) * w.unsqueeze(1) - diag_embed(Signs(w)));
    }

    /// <summary>sᵀJs = (s₀ − ‖s₁‖)(s₀ + ‖s₁‖) as (B, 1), factored to avoid cancellation near the boundary.</summary>
    private static Tensor JNorm2(Tensor s)
    {
        var (s0, s1) = SecondOrderInteriorPoint.Split(s);
        var norm = s1.norm(1, keepdim: true);
        return (s0 - norm) * s0.Plus(norm);
    }

    /// <summary>(1, −1, …, −1) like x: the diagonal of J.</summary>
    private static Tensor Signs(Tensor x)
    {
        var signs = -ones_like(x);
        signs.select(1, 0).fill_(ScalarSafeOperations.One);
        return signs;
    }

    /// <summary>[a, σqᵀ; σq, I + qqᵀ/(1 + a)] u for σ = ±1 (W/η for +1, ηW⁻¹ for −1).</summary>
    private Tensor Multiply(Tensor u, int sigma)
    {
        var (u0, u1) = SecondOrderInteriorPoint.Split(u);
        var qu = InteriorPointArguments.Dot(_q, u1).unsqueeze(1);
        var head = (_a * u0).Plus(qu.Times(sigma));
        var tail = (_q.Times(sigma) * u0).Plus(u1).Plus(_q * (qu / _a.Plus(1L)));
        return cat([head, tail], 1);
    }

    private Tensor Checked(Tensor u)
    {
        ConeArguments.CheckBatch(u, (int)(_q.shape[1] + 1), nameof(u), _cone);
        InteriorPointArguments.CheckLike(_q, "the scaling", u, nameof(u));
        return u;
    }
}
