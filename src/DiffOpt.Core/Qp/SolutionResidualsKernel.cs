using System.Numerics;
using System.Runtime.CompilerServices;

namespace DiffOpt.Qp;

/// <summary>
/// The measures of <see cref="SolutionResiduals"/> on the CPU, one item at a time: each row of Q, G and A is read
/// once for its products with (z, λ, ν) and with their magnitudes (the rounding noise), where the batched form
/// gathers the items' matrices and their magnitudes and reads each several times.
/// </summary>
internal static class SolutionResidualsKernel
{
    /// <summary>The measures per item, in this order, in the (items, <see cref="Count"/>) result.</summary>
    public enum Measure { Primal, Dual, Gap, PrimalScale, DualScale, GapScale, PrimalNoise, DualNoise, GapNoise, Count }

    /// <summary>The original problem: Q (B|1,n,n), G (B|1,m,n), A (B|1,k,n), and p (B,n), h (B,m), b (B,k).</summary>
    internal readonly unsafe struct Data<T>(BatchMatrices<T> q, BatchMatrices<T> g, BatchMatrices<T> a, T* p, T* h, T* b) where T : unmanaged
    {
        public readonly BatchMatrices<T> Q = q, G = g, A = a;
        public readonly T* P = p, H = h, B = b;
    }

    /// <summary>
    /// Evaluates the point (z, λ, ν) of row i of <paramref name="z"/> (items,n), <paramref name="lambda"/> (items,m),
    /// <paramref name="nu"/> (items,k) against problem item <paramref name="rows"/>[i]; <paramref name="scratch"/>
    /// holds 4n values per item.
    /// </summary>
    public static unsafe void Evaluate<T>(Data<T> problem, long* rows, long items, T* z, T* lambda, T* nu, T epsilon, T* result, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = problem.Q.Cols, m = problem.G.Rows, k = problem.A.Rows;
        BatchParallel.ForEachItem(items, i => EvaluateItem(problem, rows[i], n, m, k, z + i * n, lambda + i * m, nu + i * k,
            epsilon, result + i * (int)Measure.Count, scratch + i * 4L * n));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EvaluateItem<T>(Data<T> problem, long item, int n, int m, int k, T* z, T* lambda, T* nu,
        T epsilon, T* result, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* p = problem.P + item * n, h = problem.H + item * m, b = problem.B + item * k;
        T* qz = scratch, absQz = qz + n, force = absQz + n, absForce = force + n;
        T* q = problem.Q.Item(item);
        for (int j = 0; j < n; j++)
        {
            qz[j] = VectorKernels.Dot(q + (long)j * n, z, n);
            absQz[j] = VectorKernels.AbsDot(q + (long)j * n, z, n);
        }
        new Span<T>(force, 2 * n).Clear();

        var inequalities = ConstraintRows(problem.G.Item(item), m, n, z, h, lambda, force, absForce, equality: false);
        var equalities = ConstraintRows(problem.A.Item(item), k, n, z, b, nu, force, absForce, equality: true);
        T primal = T.Max(inequalities.Violation, equalities.Violation);
        T primalScale = T.Max(T.One, T.Max(inequalities.Scale, equalities.Scale));
        T primalNoise = T.Max(inequalities.Noise, equalities.Noise);
        T hl = inequalities.RhsTimesMultipliers, bn = equalities.RhsTimesMultipliers;

        // Stationarity Qz + p + Gᵀλ + Aᵀν, its scale and noise; the gap's terms.
        T dual = T.Zero, dualScale = T.One, dualNoise = T.Zero;
        T zQz = T.Zero, pz = T.Zero, absZQz = T.Zero, absPz = T.Zero;
        for (int j = 0; j < n; j++)
        {
            dual = T.Max(dual, T.Abs(qz[j] + p[j] + force[j]));
            dualScale = T.Max(dualScale, T.Max(T.Abs(qz[j]), T.Max(T.Abs(p[j]), T.Abs(force[j]))));
            dualNoise = T.Max(dualNoise, absQz[j] + T.Abs(p[j]) + absForce[j]);
            zQz += z[j] * qz[j];
            pz += p[j] * z[j];
            absZQz += T.Abs(z[j]) * absQz[j];
            absPz += T.Abs(p[j]) * T.Abs(z[j]);
        }

        result[(int)Measure.Primal] = primal;
        result[(int)Measure.Dual] = dual;
        result[(int)Measure.Gap] = T.Abs(zQz + pz + hl + bn);
        result[(int)Measure.PrimalScale] = primalScale;
        result[(int)Measure.DualScale] = dualScale;
        result[(int)Measure.GapScale] = T.Max(T.One, T.Max(T.Max(T.Abs(zQz), T.Abs(pz)), T.Max(T.Abs(hl), T.Abs(bn))));
        result[(int)Measure.PrimalNoise] = epsilon * primalNoise;
        result[(int)Measure.DualNoise] = epsilon * dualNoise;
        result[(int)Measure.GapNoise] = epsilon * (absZQz + absPz + inequalities.RhsTimesMultipliersNoise + equalities.RhsTimesMultipliersNoise);
    }

    /// <summary>What one block of constraint rows (C z ≤ d or C z = d, multipliers u) contributes to the measures.</summary>
    private readonly record struct RowBlock<T>(T Violation, T Scale, T Noise, T RhsTimesMultipliers, T RhsTimesMultipliersNoise);

    /// <summary>
    /// For the rows of C: the largest violation (Cz − d)₊ or |Cz − d|, scale max(|Cz|, |d|), noise max(|C||z| + |d|),
    /// dᵀu and |d|ᵀ|u|; adds Cᵀu to <paramref name="force"/> and |C|ᵀ|u| to <paramref name="absForce"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe RowBlock<T> ConstraintRows<T>(T* c, int rows, int n, T* z, T* d, T* u, T* force, T* absForce, bool equality)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T violation = T.Zero, scale = T.Zero, noise = T.Zero, du = T.Zero, absDu = T.Zero;
        for (int i = 0; i < rows; i++)
        {
            T* row = c + (long)i * n;
            T cz = VectorKernels.Dot(row, z, n);
            violation = T.Max(violation, equality ? T.Abs(cz - d[i]) : T.Max(cz - d[i], T.Zero));
            scale = T.Max(scale, T.Max(T.Abs(cz), T.Abs(d[i])));
            noise = T.Max(noise, VectorKernels.AbsDot(row, z, n) + T.Abs(d[i]));
            VectorKernels.SubtractScaled(row, -u[i], force, n);
            VectorKernels.AddScaledAbs(row, T.Abs(u[i]), absForce, n);
            du += d[i] * u[i];
            absDu += T.Abs(d[i]) * T.Abs(u[i]);
        }
        return new RowBlock<T>(violation, scale, noise, du, absDu);
    }
}
