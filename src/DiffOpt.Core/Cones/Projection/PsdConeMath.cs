using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of the cone of k × k positive semidefinite matrices in svec form (self-dual), by batched
/// symmetric eigendecompositions X = QΛQᵀ (<c>torch.linalg.eigh</c>): Π(X) = Q max(Λ, 0) Qᵀ (Higham 1988), the
/// derivative is <see cref="PsdOperator"/>.
/// </summary>
internal sealed class PsdConeMath(PsdCone cone) : ICone
{
    private readonly Svec _svec = new(cone.Order);

    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <inheritdoc />
    public Tensor Project(Tensor v)
    {
        var (lambda, q) = Eigen(v, nameof(v));
        return _svec.ToVector((q * lambda.AtLeast(0L).unsqueeze(1)).matmul(q.transpose(1, 2)));
    }

    /// <summary>Π_K*(v) = Π_K(v): the cone is self-dual.</summary>
    public Tensor ProjectDual(Tensor v) => Project(v);

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v)
    {
        var (lambda, q) = Eigen(v, nameof(v));
        var positive = lambda.AtLeast(0L);
        var numerator = positive.unsqueeze(2).Plus(positive.unsqueeze(1));
        var denominator = lambda.abs().unsqueeze(2).Plus(lambda.abs().unsqueeze(1));
        var weights = where(denominator.gt(ScalarSafeOperations.Zero), numerator / denominator.AtLeast(double.Epsilon), ones_like(denominator));
        return new PsdOperator(_svec, q, weights);
    }

    /// <summary>DΠ_K*(v) = DΠ_K(v): the cone is self-dual.</summary>
    public IConeOperator ProjectDualDerivative(Tensor v) => ProjectDerivative(v);

    /// <summary>Whether λ_min(smat(s)) ≥ −<paramref name="tolerance"/>, per item.</summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        var smallest = linalg.eigvalsh(_svec.ToMatrix(s)).amin(1);
        return ScalarSafeOperations.With(-tolerance, smallest.ge);
    }

    /// <summary>Same as <see cref="Contains"/>: the cone is self-dual.</summary>
    public Tensor ContainsDual(Tensor y, double tolerance) => Contains(y, tolerance);

    /// <summary>
    /// With S = LLᵀ (Cholesky) and M = L⁻¹ dS L⁻ᵀ: S + α dS = L(I + αM)Lᵀ ⪰ 0 iff 1 + α λ_min(M) ≥ 0, so
    /// α = −1/λ_min(M) if λ_min(M) &lt; 0, else +∞. 0 when S is not positive definite (the Cholesky factorisation fails).
    /// </summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        var (factor, info) = linalg.cholesky_ex(_svec.ToMatrix(s));
        var failed = info.ne(ScalarSafeOperations.Zero);
        var safeFactor = where(failed.view(-1, 1, 1), eye(cone.Order, dtype: s.dtype, device: s.device), factor);
        var half = linalg.solve_triangular(safeFactor, _svec.ToMatrix(ds), upper: false);
        var m = linalg.solve_triangular(safeFactor, half.transpose(1, 2), upper: false);
        var smallest = linalg.eigvalsh(m.Plus(m.transpose(1, 2)).Times(0.5)).amin(1);
        var alpha = where(smallest.lt(ScalarSafeOperations.Zero), smallest.Into(-1.0),
            ScalarSafeOperations.With(double.PositiveInfinity, infinity => full_like(smallest, infinity)));
        return where(failed, zeros_like(alpha), alpha);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    private (Tensor Lambda, Tensor Q) Eigen(Tensor v, string parameterName)
    {
        ConeArguments.CheckBatch(v, Rows, parameterName, cone);
        var (lambda, q) = linalg.eigh(_svec.ToMatrix(v));
        return (lambda, q);
    }
}
