using System.Numerics;
using System.Runtime.CompilerServices;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The measures of <see cref="SolutionResiduals"/> on the CPU, one item at a time: each row of Q, G and A is read
/// once for its products with (z, λ, ν) and with their magnitudes, where the batched form gathers the items'
/// matrices and their magnitudes and reads each several times. Every sum is compensated
/// (<see cref="CompensatedKernels"/>), so a measure's noise is ε·|measure| + γ²·(the magnitude of its terms), with
/// γ = Nε for sums of at most N products (Ogita, Rump, Oishi 2005), where plain sums carry ε·(the magnitude of
/// its terms): a gap of 1e-9 between terms of 1e7 is resolved, which plain sums cannot show.
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

    /// <summary>Work space per item, in values, for n variables.</summary>
    public static long ScratchPerItem(long n) => 6 * n;

    /// <summary>
    /// Evaluates the point (z, λ, ν) of row i of <paramref name="z"/> (items,n), <paramref name="lambda"/> (items,m),
    /// <paramref name="nu"/> (items,k) against problem item <paramref name="rows"/>[i]; <paramref name="scratch"/>
    /// holds <see cref="ScratchPerItem"/> values per item.
    /// </summary>
    public static unsafe void Evaluate<T>(Data<T> problem, long* rows, long items, T* z, T* lambda, T* nu, T epsilon, T* result, T* scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = problem.Q.Cols, m = problem.G.Rows, k = problem.A.Rows;
        long perItem = ScratchPerItem(n);
        BatchParallel.ForEachItem(items, i => EvaluateItem(problem, rows[i], n, m, k, z + i * n, lambda + i * m, nu + i * k,
            epsilon, result + i * (int)Measure.Count, scratch + i * perItem));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EvaluateItem<T>(Data<T> problem, long item, int n, int m, int k, T* z, T* lambda, T* nu,
        T epsilon, T* result, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* p = problem.P + item * n, h = problem.H + item * m, b = problem.B + item * k;
        T* qz = scratch, qzLo = qz + n, absQz = qzLo + n, force = absQz + n, forceLo = force + n, absForce = forceLo + n;
        T* q = problem.Q.Item(item);
        for (int j = 0; j < n; j++)
        {
            qz[j] = CompensatedKernels.Dot(q + (long)j * n, z, n, out qzLo[j]);
            absQz[j] = VectorKernels.AbsDot(q + (long)j * n, z, n);
        }
        new Span<T>(force, 3 * n).Clear();

        var inequalities = ConstraintRows(problem.G.Item(item), m, n, z, h, lambda, force, forceLo, absForce, equality: false);
        var equalities = ConstraintRows(problem.A.Item(item), k, n, z, b, nu, force, forceLo, absForce, equality: true);

        // Stationarity Qz + p + Gᵀλ + Aᵀν, its scale and the magnitude of its terms; the gap, its terms and their magnitude.
        T dual = T.Zero, dualScale = T.One, dualMagnitude = T.Zero;
        T gap = inequalities.RhsTimesMultipliers, gapLo = inequalities.RhsTimesMultipliersLo;
        CompensatedKernels.Add(ref gap, ref gapLo, equalities.RhsTimesMultipliers);
        gapLo += equalities.RhsTimesMultipliersLo;
        T zQz = T.Zero, pz = T.Zero, gapMagnitude = inequalities.RhsTimesMultipliersMagnitude + equalities.RhsTimesMultipliersMagnitude;
        for (int j = 0; j < n; j++)
        {
            T r = qz[j], rLo = qzLo[j] + forceLo[j];
            CompensatedKernels.Add(ref r, ref rLo, force[j]);
            CompensatedKernels.Add(ref r, ref rLo, p[j]);
            dual = T.Max(dual, T.Abs(r + rLo));
            dualScale = T.Max(dualScale, T.Max(T.Abs(qz[j]), T.Max(T.Abs(p[j]), T.Abs(force[j]))));
            dualMagnitude = T.Max(dualMagnitude, absQz[j] + T.Abs(p[j]) + absForce[j]);
            CompensatedKernels.AddProduct(ref gap, ref gapLo, z[j], qz[j]);
            gapLo += z[j] * qzLo[j];
            CompensatedKernels.AddProduct(ref gap, ref gapLo, p[j], z[j]);
            zQz += z[j] * qz[j];
            pz += p[j] * z[j];
            gapMagnitude += T.Abs(z[j]) * absQz[j] + T.Abs(p[j]) * T.Abs(z[j]);
        }
        gap = T.Abs(gap + gapLo);
        T primal = T.Max(inequalities.Violation, equalities.Violation);
        T hl = inequalities.RhsTimesMultipliers, bn = equalities.RhsTimesMultipliers;

        // γ² for the longest compensated sum (the gap's n + m + k products; the lo parts of Qz enter it as well).
        T longest = T.CreateTruncating(n + m + k + 2.0);
        T gammaSquared = (longest * epsilon) * (longest * epsilon);
        result[(int)Measure.Primal] = primal;
        result[(int)Measure.Dual] = dual;
        result[(int)Measure.Gap] = gap;
        result[(int)Measure.PrimalScale] = T.Max(T.One, T.Max(inequalities.Scale, equalities.Scale));
        result[(int)Measure.DualScale] = dualScale;
        result[(int)Measure.GapScale] = T.Max(T.One, T.Max(T.Max(T.Abs(zQz), T.Abs(pz)), T.Max(T.Abs(hl), T.Abs(bn))));
        result[(int)Measure.PrimalNoise] = epsilon * primal + gammaSquared * T.Max(inequalities.Magnitude, equalities.Magnitude);
        result[(int)Measure.DualNoise] = epsilon * dual + gammaSquared * dualMagnitude;
        result[(int)Measure.GapNoise] = epsilon * gap + gammaSquared * gapMagnitude;
    }

    /// <summary>What one block of constraint rows (C z ≤ d or C z = d, multipliers u) contributes to the measures.</summary>
    private readonly record struct RowBlock<T>(T Violation, T Scale, T Magnitude, T RhsTimesMultipliers, T RhsTimesMultipliersLo,
        T RhsTimesMultipliersMagnitude);

    /// <summary>
    /// For the rows of C: the largest violation (Cz − d)₊ or |Cz − d|, scale max(|Cz|, |d|), magnitude
    /// max(|C||z| + |d|), dᵀu (compensated, as hi and lo) and |d|ᵀ|u|; adds Cᵀu to (<paramref name="force"/>,
    /// <paramref name="forceLo"/>) and |C|ᵀ|u| to <paramref name="absForce"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe RowBlock<T> ConstraintRows<T>(T* c, int rows, int n, T* z, T* d, T* u, T* force, T* forceLo, T* absForce, bool equality)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T violation = T.Zero, scale = T.Zero, magnitude = T.Zero, du = T.Zero, duLo = T.Zero, absDu = T.Zero;
        for (int i = 0; i < rows; i++)
        {
            T* row = c + (long)i * n;
            T cz = CompensatedKernels.Dot(row, z, n, out T czLo);
            T difference = cz, differenceLo = czLo;
            CompensatedKernels.Add(ref difference, ref differenceLo, -d[i]);
            difference += differenceLo;
            violation = T.Max(violation, equality ? T.Abs(difference) : T.Max(difference, T.Zero));
            scale = T.Max(scale, T.Max(T.Abs(cz), T.Abs(d[i])));
            magnitude = T.Max(magnitude, VectorKernels.AbsDot(row, z, n) + T.Abs(d[i]));
            CompensatedKernels.AddScaled(row, u[i], force, forceLo, n);
            VectorKernels.AddScaledAbs(row, T.Abs(u[i]), absForce, n);
            CompensatedKernels.AddProduct(ref du, ref duLo, d[i], u[i]);
            absDu += T.Abs(d[i]) * T.Abs(u[i]);
        }
        return new RowBlock<T>(violation, scale, magnitude, du, duLo, absDu);
    }
}
