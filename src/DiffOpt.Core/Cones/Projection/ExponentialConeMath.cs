using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The arithmetic of a product of exponential cones (triples (x, y, z) of consecutive rows). The projection and its
/// derivative have no closed form: they run per triple in double precision on the CPU
/// (<see cref="ExponentialProjection"/>, <see cref="ExponentialProjectionDerivative"/>), because a root-finding
/// loop with four branches per triple does not vectorise usefully; the data are copied to the CPU and the result
/// back to the argument's dtype and device (3 numbers in, 3 or 9 out per triple). Membership and the step to the
/// boundary are tensor operations on the argument's device.
/// </summary>
internal sealed class ExponentialConeMath(ExponentialCone cone) : ICone
{
    /// <summary>Doublings of the trial step before a ray that stays inside is reported as unbounded (2¹⁰⁰ ≈ 1.3e30).</summary>
    internal const int MaxDoublings = 100;

    /// <summary>Bisection steps on [α/2, α] after the bracket is found: enough for float64 resolution.</summary>
    internal const int BisectionSteps = 60;

    /// <inheritdoc />
    public int Rows => cone.Rows;

    /// <inheritdoc />
    public Tensor Project(Tensor v)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        var data = HostCopy(v);
        var result = new double[data.Length];
        for (int i = 0; i < data.Length; i += 3)
        {
            var p = ExponentialProjection.Project(data[i], data[i + 1], data[i + 2]);
            (result[i], result[i + 1], result[i + 2]) = (p.X, p.Y, p.Z);
        }
        return tensor(result, v.shape).to(v.dtype, v.device);
    }

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v) => DerivativeBlocks(v, dual: false);

    /// <summary>
    /// DΠ_K*(v) = I − DΠ_K(−v) (Moreau), as the 3 × 3 blocks I − DΠ_K(−v₀) formed on the host in the same pass as the
    /// projections (no negated copy of v, no complement operator to subtract on every application).
    /// </summary>
    public IConeOperator ProjectDualDerivative(Tensor v) => DerivativeBlocks(v, dual: true);

    /// <summary>The blocks DΠ_K(v₀) per triple, or I − DΠ_K(−v₀) when <paramref name="dual"/>.</summary>
    private TripleBlockOperator DerivativeBlocks(Tensor v, bool dual)
    {
        ConeArguments.CheckBatch(v, Rows, nameof(v), cone);
        var data = HostCopy(v);
        var blocks = new double[3 * data.Length];
        double sign = dual ? -1 : 1;
        for (int i = 0; i < data.Length; i += 3)
        {
            double x = sign * data[i], y = sign * data[i + 1], z = sign * data[i + 2];
            var block = blocks.AsSpan(3 * i, 9);
            ExponentialProjectionDerivative.Write(x, y, z, ExponentialProjection.Project(x, y, z), block);
            if (!dual) continue;
            for (int k = 0; k < 9; k++) block[k] = (k % 4 == 0 ? 1 : 0) - block[k];
        }
        return new TripleBlockOperator(tensor(blocks, [v.shape[0], cone.Count, 3, 3]).to(v.dtype, v.device));
    }

    /// <summary>
    /// Per item, whether every triple satisfies y &gt; 0, z &gt; 0 and x ≤ y(log z − log y) + tol, or lies within tol of
    /// the face {x ≤ 0, y = 0, z ≥ 0} (x ≤ tol, |y| ≤ tol, z ≥ −tol).
    /// </summary>
    public Tensor Contains(Tensor s, double tolerance)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        return TriplesInCone(Triples(s), tolerance).all(1);
    }

    /// <summary>
    /// Per item, whether every triple (u, v, w) is in K_exp* up to tol, tested as (−v, −u, e·w) ∈ K_exp with
    /// <see cref="Contains"/>'s slack.
    /// </summary>
    public Tensor ContainsDual(Tensor y, double tolerance)
    {
        ConeArguments.CheckBatch(y, Rows, nameof(y), cone);
        var triples = Triples(y);
        var swapped = stack([-triples.select(2, 1), -triples.select(2, 0), triples.select(2, 2).Times(Math.E)], 2);
        return TriplesInCone(swapped, tolerance).all(1);
    }

    /// <summary>
    /// No closed form: per triple, +∞ if ds ∈ K_exp (then s + α·ds ∈ K_exp for all α ≥ 0, K_exp being a convex
    /// cone); otherwise the trial step 1 is doubled while s + α·ds stays in K_exp (at most
    /// <see cref="MaxDoublings"/> times, then +∞), and the boundary is bisected (<see cref="BisectionSteps"/> steps,
    /// keeping the inner end, so s + α·ds ∈ K_exp for the α returned). The set of feasible α is an interval, K_exp
    /// being convex, so bisection on membership of the closed cone is exact up to rounding. The minimum over the
    /// triples; 0 for an item whose s is not in K_exp.
    /// </summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        ConeArguments.CheckBatch(s, Rows, nameof(s), cone);
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        var start = Triples(s);
        var direction = Triples(ds);
        Tensor Inside(Tensor alpha) => TriplesInCone(start.Plus(alpha.unsqueeze(2) * direction), 0);
        var unbounded = TriplesInCone(direction, 0);
        var hi = ones_like(start.select(2, 0));
        var left = ~Inside(hi) | unbounded;
        for (int i = 0; i < MaxDoublings && !left.all().item<bool>(); i++)
        {
            hi = where(left, hi, hi.Times(2L));
            left = ~Inside(hi) | unbounded;
        }
        unbounded |= ~left;
        var lo = where(hi.gt(ScalarSafeOperations.One), hi.Times(0.5), zeros_like(hi));
        for (int i = 0; i < BisectionSteps; i++)
        {
            var middle = lo.Plus(hi).Times(0.5);
            var inside = Inside(middle);
            lo = where(inside, middle, lo);
            hi = where(inside, hi, middle);
        }
        var alpha = where(unbounded, ScalarSafeOperations.With(double.PositiveInfinity, infinity => full_like(lo, infinity)), lo);
        return where(TriplesInCone(start, 0), alpha, zeros_like(alpha)).amin(1);
    }

    /// <inheritdoc />
    public override string ToString() => cone.ToString();

    private Tensor Triples(Tensor v) => v.reshape(v.shape[0], cone.Count, 3);

    private static Tensor TriplesInCone(Tensor triples, double tolerance)
    {
        var (x, y, z) = (triples.select(2, 0), triples.select(2, 1), triples.select(2, 2));
        var curved = y.gt(ScalarSafeOperations.Zero) & z.gt(ScalarSafeOperations.Zero) & x.le((y * (z.log() - y.log())).Plus(tolerance));
        var face = ScalarSafeOperations.With(tolerance, x.le) & ScalarSafeOperations.With(tolerance, y.abs().le) & ScalarSafeOperations.With(-tolerance, z.ge);
        return curved | face;
    }

    private static double[] HostCopy(Tensor v) =>
        v.detach().to(ScalarType.Float64, CPU).contiguous().data<double>().ToArray();
}
