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
            ell -= (e + ell - target) / (e + 1);
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
}
