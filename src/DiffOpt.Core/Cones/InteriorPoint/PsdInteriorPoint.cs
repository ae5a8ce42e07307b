using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of the k × k PSD cone in svec form: degree k, e = svec(I), the Jordan product
/// X ∘ Y = (XY + YX)/2 (Vandenberghe 2010, §2.3) and the Nesterov–Todd scaling <see cref="PsdScaling"/>.
/// </summary>
internal sealed class PsdInteriorPoint(PsdCone cone) : ISymmetricInteriorPointCone
{
    private readonly Svec _svec = new(cone.Order);

    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <summary>k: the barrier −log det X has ⟨−∇f(X), X⟩ = tr(X⁻¹X) = k.</summary>
    public int Degree => cone.Order;

    /// <summary>svec(I).</summary>
    public Tensor UnitElement(ScalarType dtype, Device device) =>
        _svec.ToVector(eye(cone.Order, dtype: dtype, device: device).unsqueeze(0)).squeeze(0);

    /// <inheritdoc />
    public INesterovToddScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        return new PsdScaling(_svec.ToMatrix(s), _svec.ToMatrix(z), _svec, cone);
    }

    /// <summary>svec((AU + UA)/2).</summary>
    public Tensor JordanProduct(Tensor a, Tensor u)
    {
        InteriorPointArguments.CheckPair(a, nameof(a), u, nameof(u), Rows, cone);
        var product = _svec.ToMatrix(a).matmul(_svec.ToMatrix(u));
        return _svec.ToVector(product.Plus(product.transpose(1, 2)).Times(0.5));
    }

    /// <summary>
    /// The solution X of the Lyapunov equation (ΛX + XΛ)/2 = U: with Λ = QDQᵀ (eigh) and Ũ = QᵀUQ,
    /// X = Q X̃ Qᵀ with X̃ᵢⱼ = 2Ũᵢⱼ/(dᵢ + dⱼ) (Vandenberghe 2010, §4.3; for the scaled point Λ is diagonal and
    /// Q = I up to rounding).
    /// </summary>
    public Tensor JordanDivide(Tensor lambda, Tensor u)
    {
        InteriorPointArguments.CheckPair(lambda, nameof(lambda), u, nameof(u), Rows, cone);
        var (d, q) = linalg.eigh(_svec.ToMatrix(lambda));
        var rotated = q.transpose(1, 2).matmul(_svec.ToMatrix(u)).matmul(q);
        var solved = rotated.Times(2L) / d.unsqueeze(2).Plus(d.unsqueeze(1));
        return _svec.ToVector(q.matmul(solved).matmul(q.transpose(1, 2)));
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();
}
