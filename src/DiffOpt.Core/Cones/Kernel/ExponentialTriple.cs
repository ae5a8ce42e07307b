namespace DiffOpt.Cones;

/// <summary>
/// The exponential-cone barrier f(x, y, z) = −log ψ − log y − log z, ψ = y·log(z/y) − x, and its conjugate on one
/// triple, in scalar float64: the formulas of <see cref="ExponentialBarrier"/> (which documents them) for the CPU kernel.
/// </summary>
internal static class ExponentialTriple
{
    /// <summary>ψ = y·log(z/y) − x.</summary>
    public static double Psi(double x, double y, double z) => y * Math.Log(z / y) - x;

    /// <summary>Whether (x, y, z) is in int K_exp.</summary>
    public static bool InDomain(ReadOnlySpan<double> t) => t[1] > 0 && t[2] > 0 && Psi(t[0], t[1], t[2]) > 0;

    /// <summary>Whether (u, v, w) is in int K_exp*.</summary>
    public static bool InDualDomain(ReadOnlySpan<double> d)
    {
        double u = d[0], v = d[1], w = d[2];
        return u < 0 && w > 0 && v - u - u * Math.Log(w / -u) > 0;
    }

    /// <summary>f(t), NaN outside int K_exp.</summary>
    public static double Value(ReadOnlySpan<double> t)
    {
        double y = t[1], z = t[2];
        if (!(y > 0 && z > 0)) return double.NaN;
        double psi = Psi(t[0], y, z);
        if (!(psi > 0)) return double.NaN;
        // −log ψ − log y − log z with one log unless the product leaves the normal range.
        double product = psi * y * z;
        return double.IsNormal(product) ? -Math.Log(product) : -Math.Log(psi) - Math.Log(y) - Math.Log(z);
    }

    /// <summary>∇f(t) into g.</summary>
    public static void Gradient(ReadOnlySpan<double> t, Span<double> g)
    {
        double y = t[1], z = t[2], ratio = Math.Log(z / y), psi = y * ratio - t[0];
        g[0] = 1 / psi;
        g[1] = -(ratio - 1) / psi - 1 / y;
        g[2] = -(y / z) / psi - 1 / z;
    }

    /// <summary>[∇²f(t)]⁻¹ in closed form into h (3×3 row-major), for t's ψ and log(z/y) (<paramref name="ratio"/>).</summary>
    public static void InverseHessian(ReadOnlySpan<double> t, double psi, double ratio, Span<double> h)
    {
        double y = t[1], z = t[2];
        double hy = ratio - 1, hz = y / z;
        double denominator = 2 * y + psi;
        double kyy = y * y * (y + psi) / denominator, kyz = y * y * z / denominator, kzz = z * z * (y + psi) / denominator;
        double khy = kyy * hy + kyz * hz, khz = kyz * hy + kzz * hz;
        h[0] = psi * psi + hy * khy + hz * khz;
        h[1] = h[3] = khy;
        h[2] = h[6] = khz;
        h[4] = kyy;
        h[5] = h[7] = kyz;
        h[8] = kzz;
    }

    /// <summary>∇f*(d) into g (NaN outside int K_exp*), by Newton's method on the Wright omega equation.</summary>
    public static void DualGradient(ReadOnlySpan<double> d, Span<double> g)
    {
        if (!Conjugate(d, g, out _, out _, out _))
        {
            g[0] = g[1] = g[2] = double.NaN;
            return;
        }
        g[0] = -g[0];
        g[1] = -g[1];
        g[2] = -g[2];
    }

    /// <summary>
    /// The conjugate point t = −∇f*(d) of d = (u, v, w) ∈ int K_exp* into <paramref name="t"/> (see
    /// <see cref="ExponentialBarrier.DualGradient"/>), with what its formulas reuse in closed form: with b = −u,
    /// ℓ = log ω and r = ℓ + log(b/w), t = (y·r − 1/b, 1/(b(ω − 1)), ω/(w(ω − 1))), so log(t_z/t_y) = log(ωb/w) = r
    /// (<paramref name="ratio"/>), ψ(t) = y·r − x = 1/b (<paramref name="psi"/>), and f*(d) = −3 − f(t) =
    /// ℓ − 2 log(b(ω − 1)) − log w − 3 (<paramref name="value"/>). False (t untouched) outside int K_exp*.
    /// </summary>
    public static bool Conjugate(ReadOnlySpan<double> d, Span<double> t, out double psi, out double ratio, out double value)
    {
        double u = d[0], v = d[1], w = d[2], b = -u;
        psi = ratio = value = double.NaN;
        if (!(u < 0 && w > 0)) return false;
        double logWb = Math.Log(w / b);
        // d ∈ int K_exp* ⇔ v − u − u·log(w/−u) > 0 ⇔ the omega equation's right side exceeds 1.
        if (!(v - u - u * logWb > 0)) return false;
        double target = Math.Max(logWb + (v - 2 * u) / b, 1), logTarget = Math.Log(target);
        // The start: ω(t) ≈ t − log t + log t/t, the first terms of ω's expansion for large t (Corless and Jeffrey,
        // "The Wright ω function", 2002), exact at t = 1; log ω is off by less than 0.08 for every t > 1 (log t, by up
        // to 0.31), which saves one to two Newton steps.
        double ell = Math.Log(target - logTarget + logTarget / target), omega = double.NaN;
        for (int i = 0; i < ExponentialBarrier.OmegaNewtonSteps; i++)
        {
            double e = Math.Exp(ell);
            double step = (e + ell - target) / (e + 1);
            ell -= step;
            // Newton's error on G(ℓ) = e^ℓ + ℓ − t shrinks as e' = G''/(2G')·e² ≤ ½e², and near the root a step is the
            // error it removes: after a step of 1e-8 at most ½·1e-16 is left in ℓ, which is ω's relative error, below
            // its rounding, so further steps (and their exps) would not change ω. Then ω = e·e^(−step) to the step's
            // third order, whose error (below 1e-24) is far below ω's rounding.
            if (Math.Abs(step) <= 1e-8)
            {
                omega = e * (1 - step * (1 - 0.5 * step));
                break;
            }
        }
        if (double.IsNaN(omega)) omega = Math.Exp(ell);
        double y = 1 / (b * (omega - 1)), z = omega / (w * (omega - 1));
        ratio = ell - logWb;
        t[0] = y * ratio - 1 / b;
        t[1] = y;
        t[2] = z;
        psi = 1 / b;
        double scaled = b * (omega - 1), product = scaled * scaled * w;
        value = ell - 3 - (double.IsNormal(product) ? Math.Log(product) : 2 * Math.Log(scaled) + Math.Log(w));
        return true;
    }

    /// <summary>f*(d) = −3 − f(−∇f*(d)) (<see cref="Conjugate"/>), NaN outside int K_exp*.</summary>
    public static double DualValue(ReadOnlySpan<double> d)
    {
        Span<double> t = stackalloc double[3];
        Conjugate(d, t, out _, out _, out double value);
        return value;
    }

    /// <summary>
    /// The third-order term η = ½∇³f*(d)[Δz, (∇²f*(d))⁻¹Δs] of the central path s + μ∇f*(z) = 0 along the affine
    /// direction (Δs, Δz) (Dahl and Andersen 2022, §5.2). Through the conjugate, with t = −∇f*(d) and H = ∇²f(t):
    /// ∇²f*(d) = H⁻¹ and ∇³f*(d)[a, b] = H⁻¹∇³f(t)[H⁻¹a, H⁻¹b], so η = ½H⁻¹∇³f(t)[H⁻¹Δz, Δs]. NaN outside int K_exp*.
    /// </summary>
    public static void ThirdOrderTerm(ReadOnlySpan<double> d, ReadOnlySpan<double> dz, ReadOnlySpan<double> ds, Span<double> eta)
    {
        Span<double> t = stackalloc double[3], inverse = stackalloc double[9];
        if (!Conjugate(d, t, out double psi, out double ratio, out _))
        {
            eta[0] = eta[1] = eta[2] = double.NaN;
            return;
        }
        InverseHessian(t, psi, ratio, inverse);
        ThirdOrderTerm(t, inverse, psi, ratio, dz, ds, eta);
    }

    /// <summary>
    /// <see cref="ThirdOrderTerm(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double})"/> from
    /// the conjugate point t, H⁻¹ = [∇²f(t)]⁻¹ (<paramref name="inverse"/>), ψ(t) and log(t_z/t_y) already computed.
    /// </summary>
    public static void ThirdOrderTerm(ReadOnlySpan<double> t, ReadOnlySpan<double> inverse, double psi, double ratio,
        ReadOnlySpan<double> dz, ReadOnlySpan<double> ds, Span<double> eta)
    {
        Span<double> p = stackalloc double[3], third = stackalloc double[3];
        for (int i = 0; i < 3; i++) p[i] = inverse[3 * i] * dz[0] + inverse[3 * i + 1] * dz[1] + inverse[3 * i + 2] * dz[2];
        ThirdDerivative(t, psi, ratio, p, ds, third);
        for (int i = 0; i < 3; i++)
            eta[i] = 0.5 * (inverse[3 * i] * third[0] + inverse[3 * i + 1] * third[1] + inverse[3 * i + 2] * third[2]);
    }

    /// <summary>
    /// ∇³f(t)[p, q] into r. With ψ's gradient g = (−1, log(z/y) − 1, y/z), Hessian M and third derivative T:
    /// ∇³(−log ψ)[p, q] = −2(g·p)(g·q)g/ψ³ + ((g·q)Mp + (g·p)Mq + (pᵀMq)g)/ψ² − T[p, q]/ψ, plus −2p_y q_y/y³ and
    /// −2p_z q_z/z³ from −log y − log z; t's ψ and log(z/y) (<paramref name="ratio"/>) are given.
    /// </summary>
    public static void ThirdDerivative(ReadOnlySpan<double> t, double psi, double ratio, ReadOnlySpan<double> p, ReadOnlySpan<double> q,
        Span<double> r)
    {
        double y = t[1], z = t[2];
        double g1 = ratio - 1, g2 = y / z;
        double gp = -p[0] + g1 * p[1] + g2 * p[2], gq = -q[0] + g1 * q[1] + g2 * q[2];
        // M = ∇²ψ is zero in the first row and column: [[−1/y, 1/z], [1/z, −y/z²]] on (y, z).
        double mp1 = -p[1] / y + p[2] / z, mp2 = p[1] / z - y * p[2] / (z * z);
        double mq1 = -q[1] / y + q[2] / z, mq2 = q[1] / z - y * q[2] / (z * z);
        double pmq = p[1] * mq1 + p[2] * mq2;
        double t1 = p[1] * q[1] / (y * y) - p[2] * q[2] / (z * z);
        double t2 = -(p[1] * q[2] + p[2] * q[1]) / (z * z) + 2 * y * p[2] * q[2] / (z * z * z);
        double cubic = -2 * gp * gq / (psi * psi * psi), square = 1 / (psi * psi);
        r[0] = -cubic + square * -pmq;
        r[1] = cubic * g1 + square * (gq * mp1 + gp * mq1 + pmq * g1) - t1 / psi - 2 * p[1] * q[1] / (y * y * y);
        r[2] = cubic * g2 + square * (gq * mp2 + gp * mq2 + pmq * g2) - t2 / psi - 2 * p[2] * q[2] / (z * z * z);
    }
}
