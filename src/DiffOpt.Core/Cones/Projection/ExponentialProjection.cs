namespace DiffOpt.Cones;

/// <summary>Which formula gives the projection of a point v₀ = (x₀, y₀, z₀) onto K_exp.</summary>
internal enum ExponentialRegion
{
    /// <summary>v₀ ∈ K_exp: Π(v₀) = v₀, DΠ = I.</summary>
    Inside,

    /// <summary>−v₀ ∈ K_exp* (v₀ in the polar cone): Π(v₀) = 0, DΠ = 0.</summary>
    Polar,

    /// <summary>
    /// x₀ ≤ 0, y₀ ≤ 0 (and neither of the above): Π(v₀) = (x₀, 0, max(z₀, 0)) on the face y = 0 (also the fallback,
    /// (min(x₀, 0), 0, max(z₀, 0)), should rounding spoil the curved formula).
    /// </summary>
    Face,

    /// <summary>Otherwise: Π(v₀) lies on the curved boundary y·e^{x/y} = z, y &gt; 0, found by a univariate root.</summary>
    Curved,
}

/// <summary>The projection of one point onto K_exp: the region, the projected point and, on the curved boundary, ρ = x/y there.</summary>
internal readonly record struct ExponentialProjectionPoint(ExponentialRegion Region, double X, double Y, double Z, double Rho);

/// <summary>
/// The Euclidean projection onto the exponential cone K_exp = cl{(x, y, z) : y e^{x/y} ≤ z, y &gt; 0} of one point
/// in double precision (Friberg, "Projection onto the exponential cone: a univariate root-finding problem",
/// Optimization Methods &amp; Software, 2023). On the curved boundary the projection is α·p(ρ), p(ρ) = (ρ, 1, e^ρ),
/// and the dual part β·d(ρ), d(ρ) = (−e^ρ, (ρ − 1)e^ρ, 1) ∈ K_exp*, with p ⟂ d and v₀ = αp − βd. The first two
/// coordinates of v₀ = αp − βd give, with q(ρ) = ρ² − ρ + 1 &gt; 0,
///     α = ((ρ − 1)x₀ + y₀)/q,   βe^ρ = (x₀ − ρy₀)/q,
/// and the third one the root equation (Friberg's h, multiplied by q):
///     h(ρ) = ((ρ − 1)x₀ + y₀)e^ρ − (x₀ − ρy₀)e^{−ρ} − q(ρ)z₀ = 0
/// on the interval where α &gt; 0 and β &gt; 0. In exact arithmetic h &lt; 0 at its end where α = 0 (v₀ is not in the
/// polar cone) and h &gt; 0 at its end where β = 0 (v₀ ∉ K_exp); any root there gives a Moreau decomposition, hence
/// the projection, so the root is unique. (Rounding can flip the sign of h near an end when e^{±ρ} is huge, so the
/// ends are never evaluated.)
/// </summary>
internal static class ExponentialProjection
{
    private const int MaxIterations = 200;

    /// <summary>The widest bracket searched: beyond |ρ| ≈ 745 the exponentials in h are 0 or ∞, so h has its limit sign.</summary>
    private const double MaxWidth = 4096;

    /// <summary>Whether (x, y, z) ∈ K_exp (closed): y &gt; 0, z &gt; 0 and x ≤ y(log z − log y), or x ≤ 0, y = 0, z ≥ 0.</summary>
    public static bool InCone(double x, double y, double z) =>
        (y > 0 && z > 0 && x <= y * (Math.Log(z) - Math.Log(y))) || (x <= 0 && y == 0 && z >= 0);

    /// <summary>Whether (u, v, w) ∈ K_exp*: (u, v, w) ∈ K_exp* iff (−v, −u, e·w) ∈ K_exp (substitute in the definition).</summary>
    public static bool InDualCone(double u, double v, double w) => InCone(-v, -u, Math.E * w);

    /// <summary>Π_{K_exp}(x₀, y₀, z₀), with the region that gave it.</summary>
    public static ExponentialProjectionPoint Project(double x0, double y0, double z0)
    {
        if (InCone(x0, y0, z0)) return new(ExponentialRegion.Inside, x0, y0, z0, double.NaN);
        if (InDualCone(-x0, -y0, -z0)) return new(ExponentialRegion.Polar, 0, 0, 0, double.NaN);
        if (x0 <= 0 && y0 <= 0) return new(ExponentialRegion.Face, x0, 0, Math.Max(z0, 0), double.NaN);
        double rho = Root(x0, y0, z0);
        var (x, y, z) = OntoRay(x0, y0, z0, rho);
        // Only rounding could leave the ray's coefficient nonpositive or overflow it: then the face point, as in region Face.
        return y > 0 && double.IsFinite(x) && double.IsFinite(z)
            ? new(ExponentialRegion.Curved, x, y, z, rho)
            : new(ExponentialRegion.Face, Math.Min(x0, 0), 0, Math.Max(z0, 0), rho);
    }

    /// <summary>
    /// The projection of v₀ onto the ray of p(ρ): α·p with α = ⟨v₀, p⟩/‖p‖², p scaled by e^{−ρ} when ρ &gt; 0. At the root
    /// this is the projection onto K. The 2 × 2 formula α = ((ρ − 1)x₀ + y₀)/q is the same number in exact
    /// arithmetic but cancels when the projection nears the face y = 0 (large ρ), where e^ρ then magnifies the
    /// error in z; the ray projection does not cancel and depends little on ρ there (p/‖p‖ → (0, 0, 1)).
    /// </summary>
    private static (double X, double Y, double Z) OntoRay(double x0, double y0, double z0, double rho)
    {
        var (px, py, pz) = Ray(rho);
        double alpha = (x0 * px + y0 * py + z0 * pz) / (px * px + py * py + pz * pz);
        return (alpha * px, alpha * py, alpha * pz);
    }

    /// <summary>p(ρ) = (ρ, 1, e^ρ) for ρ ≤ 0, e^{−ρ}·p(ρ) = (ρe^{−ρ}, e^{−ρ}, 1) for ρ &gt; 0 (no overflow either way).</summary>
    internal static (double X, double Y, double Z) Ray(double rho) =>
        rho > 0 ? (rho * Math.Exp(-rho), Math.Exp(-rho), 1) : (rho, 1, Math.Exp(rho));

    /// <summary>
    /// The root ρ of h in (lo, hi) with lo = 1 − y₀/x₀ (α = 0) if x₀ &gt; 0, else −∞, and hi = x₀/y₀ (β = 0) if y₀ &gt; 0,
    /// else +∞ (at least one end is finite, as x₀ &gt; 0 or y₀ &gt; 0 here). An infinite end is replaced by moving away
    /// from the finite one in doubling steps until h has the right sign; then Newton's method, falling back to
    /// bisection whenever a step leaves the bracket or shrinks too slowly; every iteration shrinks the bracket.
    /// </summary>
    internal static double Root(double x0, double y0, double z0)
    {
        double lo = x0 > 0 ? 1 - y0 / x0 : double.NegativeInfinity;
        double hi = y0 > 0 ? x0 / y0 : double.PositiveInfinity;
        if (double.IsNegativeInfinity(lo))
        {
            double width = 1;
            for (lo = hi - width; width < MaxWidth && H(x0, y0, z0, lo).Value > 0; lo = hi - width) width *= 2;
        }
        if (double.IsPositiveInfinity(hi))
        {
            double width = 1;
            for (hi = lo + width; width < MaxWidth && H(x0, y0, z0, hi).Value < 0; hi = lo + width) width *= 2;
        }
        double rho = 0.5 * (lo + hi), step = hi - lo, previousStep = step;
        for (int i = 0; i < MaxIterations; i++)
        {
            var (value, slope) = H(x0, y0, z0, rho);
            if (value == 0) return rho;
            if (value < 0) lo = rho;
            else hi = rho;
            double next = rho - value / slope;
            // Bisect when Newton leaves the bracket or does not halve the step of two iterations ago (Numerical
            // Recipes' rtsafe): far right of the root h ≈ A e^ρ and Newton would creep by about 1 per step.
            if (!(next > lo && next < hi) || Math.Abs(next - rho) > 0.5 * Math.Abs(previousStep)) next = 0.5 * (lo + hi);
            (previousStep, step) = (step, next - rho);
            double tolerance = 4 * double.Epsilon + 2e-16 * Math.Max(1, Math.Abs(rho));
            if (Math.Abs(step) <= tolerance || hi - lo <= tolerance) return next;
            rho = next;
        }
        return rho;
    }

    /// <summary>h(ρ) and h′(ρ) = (ρx₀ + y₀)e^ρ + (x₀ − (ρ − 1)y₀)e^{−ρ} − (2ρ − 1)z₀.</summary>
    internal static (double Value, double Slope) H(double x0, double y0, double z0, double rho)
    {
        double up = Math.Exp(rho), down = Math.Exp(-rho);
        double value = ((rho - 1) * x0 + y0) * up - (x0 - rho * y0) * down - (rho * rho - rho + 1) * z0;
        double slope = (rho * x0 + y0) * up + (x0 - (rho - 1) * y0) * down - (2 * rho - 1) * z0;
        return (value, slope);
    }
}
