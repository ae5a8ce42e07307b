using DiffOpt.InteriorPoint;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The Nesterov–Todd scaling of the orthant: W = Wᵀ = diag(w), w = √(s/z), so W z = W⁻¹ s = λ = √(s∘z) and
/// Hs = W² = diag(s/z) (Vandenberghe 2010, §4.1; Clarabel's <c>nonnegativecone.rs</c>).
/// </summary>
internal sealed class NonnegativeScaling : INesterovToddScaling
{
    private readonly Tensor _w;
    private readonly object _cone;

    /// <summary>The scaling at s, z (B, n), shapes checked by the caller: NaN where sᵢ/zᵢ &lt; 0, 0 or ∞ where
    /// one of them is 0.</summary>
    public NonnegativeScaling(Tensor s, Tensor z, object cone)
    {
        _w = NonnegativeOrthant.Scaling(s, z).sqrt();
        _cone = cone;
        Lambda = (s * z).sqrt();
    }

    /// <summary>λ = √(s∘z), computed directly (it equals w∘z = s/w up to rounding).</summary>
    public Tensor Lambda { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor u) => Checked(u) * _w;

    /// <summary>Same as <see cref="Apply"/>: W is diagonal.</summary>
    public Tensor ApplyTranspose(Tensor u) => Apply(u);

    /// <inheritdoc />
    public Tensor ApplyInverse(Tensor u) => Checked(u) / _w;

    /// <summary>Same as <see cref="ApplyInverse"/>: W is diagonal.</summary>
    public Tensor ApplyInverseTranspose(Tensor u) => ApplyInverse(u);

    /// <summary>(s/z)∘u.</summary>
    public Tensor MulHs(Tensor u) => Checked(u) * _w * _w;

    /// <summary>diag(s/z) per item.</summary>
    public Tensor DenseHs() => diag_embed(_w * _w);

    private Tensor Checked(Tensor u)
    {
        ConeArguments.CheckBatch(u, (int)_w.shape[1], nameof(u), _cone);
        InteriorPointArguments.CheckLike(_w, "the scaling", u, nameof(u));
        return u;
    }
}
