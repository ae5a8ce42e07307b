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

    /// <summary>f(t).</summary>
    public static double Value(ReadOnlySpan<double> t) => -Math.Log(Psi(t[0], t[1], t[2])) - Math.Log(t[1]) - Math.Log(t[2]);

    /// <summary>∇f(t) into g.</summary>
    public static void Gradient(ReadOnlySpan<double> t, Span<double> g)
    {
        double y = t[1], z = t[2], psi = Psi(t[0], y, z);
        g[0] = 1 / psi;
        g[1] = -(Math.Log(z / y) - 1) / psi - 1 / y;
        g[2] = -(y / z) / psi - 1 / z;
    }

    /// <summary>[∇²f(t)]⁻¹ in closed form into h (3×3 row-major).</summary>
    public static void InverseHessian(ReadOnlySpan<double> t, Span<double> h)
    {
        double y = t[1], z = t[2], psi = Psi(t[0], y, z);
        double hy = Math.Log(z / y) - 1, hz = y / z;
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
        if (!InDualDomain(d))
        {
            g[0] = g[1] = g[2] = double.NaN;
            return;
        }
        double u = d[0], v = d[1], w = d[2], b = -u;
        double target = Math.Log(w / b) + (v - 2 * u) / b;
        double ell = Math.Log(Math.Max(target, 1));
        for (int i = 0; i < ExponentialBarrier.OmegaNewtonSteps; i++)
        {
            double e = Math.Exp(ell);
            double step = (e + ell - target) / (e + 1);
            ell -= step;
            // Newton's error on G(ℓ) = e^ℓ + ℓ − t shrinks as e' = G''/(2G')·e² ≤ ½e², and near the root a step is the
            // error it removes: after a step of 1e-9·max(1, |ℓ|) what is left is below ℓ's rounding, so the remaining
            // steps (and their exps) would move ℓ by less than its rounding.
            if (Math.Abs(step) <= 1e-9 * Math.Max(1, Math.Abs(ell))) break;
        }
        double omega = Math.Exp(ell);
        double y = 1 / (b * (omega - 1)), z = omega / (w * (omega - 1));
        double x = y * (ell + Math.Log(b / w)) - 1 / b;
        g[0] = -x;
        g[1] = -y;
        g[2] = -z;
    }

    /// <summary>f*(d) = −3 − f(−∇f*(d)).</summary>
    public static double DualValue(ReadOnlySpan<double> d)
    {
        Span<double> g = stackalloc double[3];
        DualGradient(d, g);
        g[0] = -g[0];
        g[1] = -g[1];
        g[2] = -g[2];
        return -3 - Value(g);
    }

    /// <summary>
    /// The third-order term η = ½∇³f*(d)[Δz, (∇²f*(d))⁻¹Δs] of the central path s + μ∇f*(z) = 0 along the affine
    /// direction (Δs, Δz) (Dahl and Andersen 2022, §5.2). Through the conjugate, with t = −∇f*(d) and H = ∇²f(t):
    /// ∇²f*(d) = H⁻¹ and ∇³f*(d)[a, b] = H⁻¹∇³f(t)[H⁻¹a, H⁻¹b], so η = ½H⁻¹∇³f(t)[H⁻¹Δz, Δs]. NaN outside int K_exp*.
    /// </summary>
    public static void ThirdOrderTerm(ReadOnlySpan<double> d, ReadOnlySpan<double> dz, ReadOnlySpan<double> ds, Span<double> eta)
    {
        Span<double> t = stackalloc double[3], inverse = stackalloc double[9], p = stackalloc double[3], third = stackalloc double[3];
        DualGradient(d, t);
        for (int i = 0; i < 3; i++) t[i] = -t[i];
        InverseHessian(t, inverse);
        for (int i = 0; i < 3; i++) p[i] = inverse[3 * i] * dz[0] + inverse[3 * i + 1] * dz[1] + inverse[3 * i + 2] * dz[2];
        ThirdDerivative(t, p, ds, third);
        for (int i = 0; i < 3; i++)
            eta[i] = 0.5 * (inverse[3 * i] * third[0] + inverse[3 * i + 1] * third[1] + inverse[3 * i + 2] * third[2]);
    }

    /// <summary>
    /// ∇³f(t)[p, q] into r. With ψ's gradient g = (−1, log(z/y) − 1, y/z), Hessian M and third derivative T:
    /// ∇³(−log ψ)[p, q] = −2(g·p)(g·q)g/ψ³ + ((g·q)Mp + (g·p)Mq + (pᵀMq)g)/ψ² − T[p, q]/ψ, plus −2p_y q_y/y³ and
    /// −2p_z q_z/z³ from −log y − log z.
    /// </summary>
    public static void ThirdDerivative(ReadOnlySpan<double> t, ReadOnlySpan<double> p, ReadOnlySpan<double> q, Span<double> r)
    {
        double y = t[1], z = t[2], psi = Psi(t[0], y, z);
        double g1 = Math.Log(z / y) - 1, g2 = y / z;
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
