using DiffOpt.InteriorPoint;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of the nonnegative orthant ℝⁿ₊ (self-dual): Π(v) = max(v, 0) and DΠ(v) = diag(1[v &gt; 0]), with
/// ½ at vᵢ = 0 exactly (any value in [0, 1] is a generalised derivative there; ½ is diffcp's choice and keeps
/// DΠ_K*(v) = I − DΠ_K(−v) equal to DΠ_K(v)).
/// </summary>
internal sealed class NonnegativeConeMath(NonnegativeCone cone) : ICone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <inheritdoc />
    public Tensor Project(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return NonnegativeOrthant.Project(v);
    }

    /// <summary>Π_K*(v) = Π_K(v): the orthant is self-dual.</summary>
    public Tensor ProjectDual(Tensor v) => Project(v);

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return new DiagonalOperator(v.sign().Plus(1L).Times(0.5));
    }

    /// <summary>DΠ_K*(v) = DΠ_K(v): the orthant is self-dual.</summary>
    public IConeOperator ProjectDualDerivative(Tensor v) => ProjectDerivative(v);

    /// <summary>Whether every sᵢ ≥ −<paramref name="tolerance"/>, per item.</summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        return NonnegativeOrthant.Contains(s, tolerance);
    }

    /// <summary>Same as <see cref="Contains"/>: the orthant is self-dual.</summary>
    public Tensor ContainsDual(Tensor y, double tolerance) => Contains(y, tolerance);

    /// <summary>The ratio test min over dsᵢ &lt; 0 of −sᵢ/dsᵢ (+∞ when ds ≥ 0); 0 when some sᵢ &lt; 0.</summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        return NonnegativeOrthant.StepToBoundary(s, ds, double.PositiveInfinity);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();
}
