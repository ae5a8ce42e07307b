using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The Nesterov–Todd scaling of a PSD cone (Vandenberghe 2010, §4.3; CONES.md): with S = L_sL_sᵀ, Z = L_zL_zᵀ
/// (Cholesky) and L_zᵀL_s = UΛVᵀ (SVD), R = L_sVΛ^{−1/2} and R⁻ᵀ = L_zUΛ^{−1/2} (since Rᵀ·L_zUΛ^{−1/2} =
/// Λ^{−1/2}VᵀL_sᵀL_zUΛ^{−1/2} = I), so RᵀZR = R⁻¹SR⁻ᵀ = Λ. W acts on svec(X) as svec(RᵀXR): λ = W z = W⁻ᵀ s =
/// svec(Λ). W is not symmetric unless R is: Wᵀ(X) = RXRᵀ, W⁻¹(X) = R⁻ᵀXR⁻¹, W⁻ᵀ(X) = R⁻¹XR⁻ᵀ, and
/// Hs = WᵀW acts as X ↦ GXG with G = RRᵀ (the NT point, GZG = S). Items whose S or Z is not positive definite
/// give NaN.
/// </summary>
internal sealed class PsdScaling : INesterovToddScaling
{
    private readonly Svec _svec;
    private readonly object _cone;
    private readonly Tensor _r;             // R (B, k, k)
    private readonly Tensor _rInverseT;     // R⁻ᵀ (B, k, k)

    /// <summary>The scaling at the symmetric matrices S, Z (B, k, k).</summary>
    public PsdScaling(Tensor s, Tensor z, Svec svec, object cone)
    {
        _svec = svec;
        _cone = cone;
        var (ls, sInfo) = linalg.cholesky_ex(s);
        var (lz, zInfo) = linalg.cholesky_ex(z);
        var (u, sigma, vh) = linalg.svd(lz.transpose(1, 2).matmul(ls), false);
        var root = sigma.rsqrt().unsqueeze(1);
        var failed = (sInfo.ne(ScalarSafeOperations.Zero) | zInfo.ne(ScalarSafeOperations.Zero)).view(-1, 1, 1);
        var nan = ScalarSafeOperations.With(double.NaN, value => full_like(ls, value));
        _r = where(failed, nan, ls.matmul(vh.transpose(1, 2)) * root);
        _rInverseT = where(failed, nan, lz.matmul(u) * root);
        var lambda = _svec.ToVector(diag_embed(sigma));
        Lambda = where(failed.view(-1, 1), ScalarSafeOperations.With(double.NaN, value => full_like(lambda, value)), lambda);
    }

    /// <summary>λ = svec(Λ), Λ the singular values of L_zᵀL_s (the eigenvalues of the NT-scaled point).</summary>
    public Tensor Lambda { get; }

    /// <summary>svec(RᵀUR).</summary>
    public Tensor Apply(Tensor u) => Congruence(_r.transpose(1, 2), u);

    /// <summary>svec(RURᵀ).</summary>
    public Tensor ApplyTranspose(Tensor u) => Congruence(_r, u);

    /// <summary>svec(R⁻ᵀUR⁻¹).</summary>
    public Tensor ApplyInverse(Tensor u) => Congruence(_rInverseT, u);

    /// <summary>svec(R⁻¹UR⁻ᵀ).</summary>
    public Tensor ApplyInverseTranspose(Tensor u) => Congruence(_rInverseT.transpose(1, 2), u);

    /// <summary>svec(GUG), G = RRᵀ.</summary>
    public Tensor MulHs(Tensor u) => Congruence(G(), u);

    /// <summary>
    /// The matrix of X ↦ GXG in svec coordinates, Tᵀ(G ⊗ G)T with T = [vec smat(e₁), …] (k², n), so vec(smat(v)) =
    /// Tv and svec(Y) = TᵀvecY for symmetric Y (the symmetric Kronecker product G ⊛ G; Vandenberghe 2010, §4.3):
    /// (B, n, n), O(k⁴) memory per item.
    /// </summary>
    public Tensor DenseHs()
    {
        var g = G();
        int k = _svec.Order, n = _svec.Length;
        var basis = _svec.ToMatrix(eye(n, dtype: g.dtype, device: g.device)).reshape(n, k * k);
        var kron = einsum("bil,bjm->bijlm", g, g).reshape(g.shape[0], k * k, k * k);
        return basis.matmul(kron).matmul(basis.T);
    }

    private Tensor G() => _r.matmul(_r.transpose(1, 2));

    /// <summary>svec(MUMᵀ) for U = smat(u).</summary>
    private Tensor Congruence(Tensor m, Tensor u)
    {
        ConeArguments.CheckBatch(u, _svec.Length, nameof(u), _cone);
        InteriorPointArguments.CheckLike(_r, "the scaling", u, nameof(u));
        var product = m.matmul(_svec.ToMatrix(u)).matmul(m.transpose(1, 2));
        return _svec.ToVector(product.Plus(product.transpose(1, 2)).Times(0.5));
    }
}
