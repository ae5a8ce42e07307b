using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of the zero cone {0} ⊂ ℝⁿ (Clarabel's <c>zerocone.rs</c>), the template of the cone files:
/// Π_K(v) = 0 with derivative 0; the dual cone is ℝⁿ, so Π_K*(v) = v with derivative I.
/// </summary>
internal sealed class ZeroConeMath(ZeroCone cone) : ICone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <inheritdoc />
    public Tensor Project(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return zeros_like(v);
    }

    /// <inheritdoc />
    public Tensor ProjectDual(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return v.clone();
    }

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return new DiagonalOperator(zeros_like(v));
    }

    /// <inheritdoc />
    public IConeOperator ProjectDualDerivative(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        return new DiagonalOperator(ones_like(v));
    }

    /// <summary>Whether every |sᵢ| ≤ <paramref name="tolerance"/>, per item.</summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        return ScalarSafeOperations.With(tolerance, s.abs().le).all(1);
    }

    /// <summary>Always true: the dual of {0} is all of ℝⁿ.</summary>
    public Tensor ContainsDual(Tensor y, double tolerance)
    {
        ConeArguments.CheckBatch(y, Rows, nameof(y), cone);
        return ones(y.shape[0], dtype: ScalarType.Bool, device: y.device);
    }

    /// <summary>
    /// +∞: {0} has no interior, and an interior-point method keeps s = 0 on these rows, so they never limit the
    /// step (Clarabel's zero cone returns its maximum step likewise).
    /// </summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        return ConeArguments.Unbounded(s);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();
}
