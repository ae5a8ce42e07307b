using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of the second-order cone Q = {(t, u) : ‖u‖ ≤ t} (self-dual), vectorised over the batch. For
/// v = (t, u): Π(v) = v if ‖u‖ ≤ t; 0 if ‖u‖ ≤ −t; otherwise ½(1 + t/‖u‖)(‖u‖, u) (CONES.md; Parikh and Boyd,
/// "Proximal algorithms", §6.3.2). The derivative is <see cref="SecondOrderOperator"/>.
/// </summary>
internal sealed class SecondOrderConeMath(SecondOrderCone cone) : ICone
{
    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <inheritdoc />
    public Tensor Project(Tensor v)
    {
        var (t, u, norm) = Split(v, nameof(v));
        var (inside, polar) = Regions(t, norm);
        var middle = (t / norm.AtLeast(double.Epsilon)).Plus(1L).Times(0.5);
        var scaleU = where(inside, ones_like(t), where(polar, zeros_like(t), middle));
        var outT = where(inside, t, where(polar, zeros_like(t), norm.Plus(t).Times(0.5)));
        return cat([outT.unsqueeze(1), scaleU.unsqueeze(1) * u], 1);
    }

    /// <summary>Π_K*(v) = Π_K(v): the cone is self-dual.</summary>
    public Tensor ProjectDual(Tensor v) => Project(v);

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v)
    {
        var (t, u, norm) = Split(v, nameof(v));
        var (inside, polar) = Regions(t, norm);
        var safeNorm = norm.AtLeast(double.Epsilon);
        var ratio = t / safeNorm;
        var one = ones_like(t);
        var zero = zeros_like(t);
        var half = full_like(t, ScalarSafeOperations.Half);
        Tensor Pick(Tensor insideValue, Tensor middleValue) => where(inside, insideValue, where(polar, zero, middleValue));
        var direction = where((inside | polar).unsqueeze(1), zeros_like(u), u / safeNorm.unsqueeze(1));
        return new SecondOrderOperator(Pick(one, half), Pick(zero, half), Pick(one, ratio.Plus(1L).Times(0.5)), Pick(zero, ratio.Times(-0.5)),
            direction);
    }

    /// <summary>DΠ_K*(v) = DΠ_K(v): the cone is self-dual.</summary>
    public IConeOperator ProjectDualDerivative(Tensor v) => ProjectDerivative(v);

    /// <summary>Whether ‖u‖ − t ≤ <paramref name="tolerance"/>, per item.</summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        var (t, _, norm) = Split(s, nameof(s));
        return ScalarSafeOperations.With(tolerance, (norm - t).le);
    }

    /// <summary>Same as <see cref="Contains"/>: the cone is self-dual.</summary>
    public Tensor ContainsDual(Tensor y, double tolerance) => Contains(y, tolerance);

    /// <summary>
    /// The smallest positive root of q(α) = (t + α dt)² − ‖u + α du‖² = aα² + bα + c, with a = dt² − ‖du‖²,
    /// b = 2(t dt − uᵀdu), c = t² − ‖u‖² &gt; 0 for interior s (+∞ if none: the ray stays in Q, since leaving Q for
    /// −Q would pass through the apex, where q = 0 too). The roots come from the cancellation-free pair
    /// (−b ∓ √disc)/(2a) and 2c/(−b ∓ √disc) (sign chosen as b's); 0 when s ∉ Q.
    /// </summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        var (t, u, norm) = Split(s, nameof(s));
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        var dt = ds.select(1, 0);
        var du = ds.narrow(1, 1, Rows - 1);
        var a = dt * dt - (du * du).sum(1);
        var b = (t * dt - (u * du).sum(1)).Times(2L);
        var c = (t - norm) * t.Plus(norm);
        var discriminant = b * b - a.Times(4L) * c;
        var root = discriminant.AtLeast(0L).sqrt();
        var q = -b - where(b.ge(ScalarSafeOperations.Zero), root, -root);
        var infinity = ScalarSafeOperations.With(double.PositiveInfinity, value => full_like(t, value));
        Tensor Positive(Tensor r) => where(r.gt(ScalarSafeOperations.Zero), r, infinity);
        var alpha = minimum(Positive(q / a.Times(2L)), Positive(c.Times(2L) / q));
        alpha = where(discriminant.lt(ScalarSafeOperations.Zero), infinity, alpha);
        return where(norm > t, zeros_like(alpha), alpha);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    private (Tensor T, Tensor U, Tensor Norm) Split(Tensor v, string parameterName)
    {
        ConeArguments.CheckBatch(v, Rows, parameterName, cone);
        var u = v.narrow(1, 1, Rows - 1);
        return (v.select(1, 0), u, u.norm(1));
    }

    private static (Tensor Inside, Tensor Polar) Regions(Tensor t, Tensor norm) => (norm <= t, norm <= -t);
}
