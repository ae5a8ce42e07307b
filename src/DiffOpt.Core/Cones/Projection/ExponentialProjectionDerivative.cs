namespace DiffOpt.Cones;

/// <summary>
/// The 3 × 3 derivative DΠ_{K_exp}(v₀) of one point's projection, row-major. On the curved boundary it comes from
/// implicit differentiation of the projection's optimality conditions (Ali, Wong and Kolter, "A semismooth Newton
/// method for fast, generic convex programming", ICML 2017): with g(x, y, z) = y e^{x/y} − z active at the
/// projection p and multiplier μ = β,  p − v₀ + μ∇g(p) = 0,  g(p) = 0; differentiating,
///     (I + μ∇²g) dp + ∇g dμ = dv₀,   ∇gᵀdp = 0,
/// so with H = I + μ∇²g and n = ∇g:  D = H⁻¹ − H⁻¹n nᵀH⁻¹ / (nᵀH⁻¹n)  (symmetric, 0 ⪯ D ⪯ I).
/// At p = α(ρ, 1, e^ρ): ∇²g = (e^ρ/α) w wᵀ with w = (1, −ρ, 0), so μ∇²g = c·w wᵀ with c = βe^ρ/α, where α = p_y and
/// β comes from the dual part p − v₀ = β·d(ρ), d(ρ) = (−e^ρ, (ρ − 1)e^ρ, 1) (not from (x₀ − ρy₀)/((ρ − 1)x₀ + y₀),
/// which cancels near the face); H⁻¹ = I − c w wᵀ/(1 + c‖w‖²) (Sherman–Morrison); n ∝ (e^ρ, (1 − ρ)e^ρ, −1)
/// (D does not depend on its scale).
/// </summary>
internal static class ExponentialProjectionDerivative
{
    /// <summary>Writes DΠ at v₀, whose projection is <paramref name="point"/>, into <paramref name="block"/> (9 entries, row-major).</summary>
    public static void Write(double x0, double y0, double z0, ExponentialProjectionPoint point, Span<double> block)
    {
        block.Clear();
        switch (point.Region)
        {
            case ExponentialRegion.Inside:
                block[0] = block[4] = block[8] = 1;
                break;
            case ExponentialRegion.Polar:
                break;
            case ExponentialRegion.Face: // Π = (x₀, 0, max(z₀, 0))
                block[0] = 1;
                block[8] = z0 > 0 ? 1 : 0;
                break;
            default:
                Curved(x0, y0, z0, point, block);
                break;
        }
    }

    private static void Curved(double x0, double y0, double z0, ExponentialProjectionPoint point, Span<double> block)
    {
        double rho = point.Rho;
        double c = ScaledDualCoefficient(point.X - x0, point.Y - y0, point.Z - z0, rho) / point.Y;
        Span<double> w = [1, -rho, 0];
        double shrink = c / (1 + c * (1 + rho * rho));
        // n scaled by e^{−ρ} for ρ > 0 so that no entry overflows.
        Span<double> n = rho > 0 ? [1, 1 - rho, -Math.Exp(-rho)] : [Math.Exp(rho), Math.Exp(rho) * (1 - rho), -1];
        Span<double> hInverseN = stackalloc double[3];
        double along = w[0] * n[0] + w[1] * n[1] + w[2] * n[2];
        for (int i = 0; i < 3; i++) hInverseN[i] = n[i] - shrink * w[i] * along;
        double curvature = n[0] * hInverseN[0] + n[1] * hInverseN[1] + n[2] * hInverseN[2];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j <= i; j++)
            {
                double hInverse = (i == j ? 1 : 0) - shrink * w[i] * w[j];
                block[3 * i + j] = block[3 * j + i] = hInverse - hInverseN[i] * hInverseN[j] / curvature;
            }
    }

    /// <summary>βe^ρ for the dual part (u, v, w) = β·d(ρ): the least-squares coefficient on d scaled to avoid overflow.</summary>
    private static double ScaledDualCoefficient(double u, double v, double w, double rho)
    {
        if (rho > 0) // d(ρ) = e^ρ·(−1, ρ − 1, e^{−ρ})
        {
            double tail = Math.Exp(-rho);
            return (-u + (rho - 1) * v + tail * w) / (1 + (rho - 1) * (rho - 1) + tail * tail);
        }
        double e = Math.Exp(rho);
        return e * (-e * u + (rho - 1) * e * v + w) / (e * e * (1 + (rho - 1) * (rho - 1)) + 1);
    }
}
