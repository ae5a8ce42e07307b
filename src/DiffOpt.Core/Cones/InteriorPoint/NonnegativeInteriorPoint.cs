using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of the orthant ℝⁿ₊: degree n, e = (1, …, 1), the Jordan product is the
/// elementwise one and the Nesterov–Todd scaling is W = diag(√(s/z)) (<see cref="NonnegativeScaling"/>).
/// </summary>
internal sealed class NonnegativeInteriorPoint(NonnegativeCone cone) : ISymmetricInteriorPointCone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <summary>n: the barrier −Σ log sᵢ has ⟨−∇f(s), s⟩ = n.</summary>
    public int Degree => cone.Rows;

    /// <summary>(1, …, 1).</summary>
    public Tensor UnitElement(ScalarType dtype, Device device) => ones(Rows, dtype: dtype, device: device);

    /// <inheritdoc />
    public INesterovToddScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, cone);
        return new NonnegativeScaling(s, z, cone);
    }

    /// <summary>aᵢuᵢ.</summary>
    public Tensor JordanProduct(Tensor a, Tensor u)
    {
        InteriorPointArguments.CheckPair(a, nameof(a), u, nameof(u), Rows, cone);
        return a * u;
    }

    /// <summary>uᵢ/λᵢ.</summary>
    public Tensor JordanDivide(Tensor lambda, Tensor u)
    {
        InteriorPointArguments.CheckPair(lambda, nameof(lambda), u, nameof(u), Rows, cone);
        return u / lambda;
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();
}
