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
        var middle = 0.5 * (1 + t / norm.clamp_min(double.Epsilon));
        var scaleU = where(inside, ones_like(t), where(polar, zeros_like(t), middle));
        var outT = where(inside, t, where(polar, zeros_like(t), 0.5 * (norm + t)));
        return cat([outT.unsqueeze(1), scaleU.unsqueeze(1) * u], 1);
    }

    /// <summary>Π_K*(v) = Π_K(v): the cone is self-dual.</summary>
    public Tensor ProjectDual(Tensor v) => Project(v);

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v)
    {
        var (t, u, norm) = Split(v, nameof(v));
        var (inside, polar) = Regions(t, norm);
        var safeNorm = norm.clamp_min(double.Epsilon);
        var ratio = t / safeNorm;
        var one = ones_like(t);
        var zero = zeros_like(t);
        var half = full_like(t, 0.5);
        Tensor Pick(Tensor insideValue, Tensor middleValue) => where(inside, insideValue, where(polar, zero, middleValue));
        var direction = where((inside | polar).unsqueeze(1), zeros_like(u), u / safeNorm.unsqueeze(1));
        return new SecondOrderOperator(Pick(one, half), Pick(zero, half), Pick(one, 0.5 * (1 + ratio)), Pick(zero, -0.5 * ratio),
            direction);
    }

    /// <summary>DΠ_K*(v) = DΠ_K(v): the cone is self-dual.</summary>
    public IConeOperator ProjectDualDerivative(Tensor v) => ProjectDerivative(v);

    /// <summary>Whether ‖u‖ − t ≤ <paramref name="tolerance"/>, per item.</summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        var (t, _, norm) = Split(s, nameof(s));
        return (norm - t).le(tolerance);
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
        var b = 2 * (t * dt - (u * du).sum(1));
        var c = (t - norm) * (t + norm);
        var discriminant = b * b - 4 * a * c;
        var root = discriminant.clamp_min(0).sqrt();
        var q = -b - where(b >= 0, root, -root);
        var infinity = full_like(t, double.PositiveInfinity);
        Tensor Positive(Tensor r) => where(r > 0, r, infinity);
        var alpha = minimum(Positive(q / (2 * a)), Positive(2 * c / q));
        alpha = where(discriminant < 0, infinity, alpha);
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
