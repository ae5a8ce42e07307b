using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// Iterative refinement of one item's solve J·z = b against J itself, with an approximate solver (a factorisation of a
/// regularised or reduced system): z starts at 0 and takes corrections while the residual ‖b − J·z‖∞ shrinks.
/// </summary>
internal static class IterativeRefinement
{
    /// <summary>Relative residual ‖J·z − b‖∞/‖b‖∞ above which a solver hands an item to the dense LU.</summary>
    internal const double AcceptedResidual = 1e-10;

    /// <summary>Refinement steps at most (after the first solve).</summary>
    internal const int MaxSteps = 8;

    /// <summary>Orders up to which <see cref="Run"/>'s residual and correction live on the stack (8 KiB).</summary>
    private const int StackOrder = 512;

    /// <summary>Writes the approximate solution of J·correction = residual.</summary>
    public delegate void Correction(ReadOnlySpan<double> residual, Span<double> correction);

    /// <summary>Writes b − J·z into residual and returns its ∞-norm.</summary>
    public delegate double Residual(ReadOnlySpan<double> z, Span<double> residual);

    /// <summary>
    /// Solves into <paramref name="z"/> and returns the relative residual ‖b − J·z‖∞/‖b‖∞ (0 when b = 0); a step that
    /// does not lower the residual (or makes it NaN) is undone and ends the refinement, and so does a relative residual
    /// at most <paramref name="enough"/>.
    /// </summary>
    public static double Run(ReadOnlySpan<double> b, Span<double> z, Correction solve, Residual residual, double enough = 1e-15)
    {
        int order = b.Length;
        double scale = SpanKernels.NormInf(b);
        // Small systems keep their two vectors on the stack (per item, fresh arrays cost page faults).
        Span<double> buffer = order <= StackOrder ? stackalloc double[2 * order] : new double[2 * order];
        var current = buffer[..order];
        b.CopyTo(current); // b − J·z at z = 0
        var correction = buffer.Slice(order, order);
        z.Clear();
        double error = scale;
        for (int step = 0; step <= MaxSteps; step++)
        {
            solve(current, correction);
            for (int i = 0; i < order; i++) z[i] += correction[i];
            double next = residual(z, current);
            if (!(next < error))
            {
                for (int i = 0; i < order; i++) z[i] -= correction[i];
                break;
            }
            error = next;
            if (error <= enough * scale) break;
        }
        return scale > 0 ? error / scale : 0;
    }
}
