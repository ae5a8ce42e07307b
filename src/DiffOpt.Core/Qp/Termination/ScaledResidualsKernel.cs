using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The residuals of <see cref="QpResiduals"/> and their unscaled measures on the CPU, one item at a time: the
/// products with P, A and G (each row read once, as in <see cref="MatrixProductsKernel"/>), the residual vectors and
/// the six norms in one pass, where the batched form takes some forty tensor operations per iteration. Its sums are
/// compensated; the batched form's are plain, so the two agree to the rounding of plain sums.
/// </summary>
internal static class ScaledResidualsKernel
{
    /// <summary>The measures per item, in this order, in the (B, <see cref="Count"/>) result.</summary>
    public enum Measure { Primal, Dual, Gap, PrimalScale, DualScale, GapScale, Count }

    /// <summary>The scaled problem (per-item matrices) and the normaliser's inverse scalings, all (B,·) and contiguous.</summary>
    internal readonly unsafe struct Problem<T>(BatchMatrices<T> p, BatchMatrices<T> a, BatchMatrices<T> g, T* c, T* b, T* h,
        T* inverseD, T* inverseE, T* dataPrimalScale, T* dataDualScale) where T : unmanaged
    {
        public readonly BatchMatrices<T> P = p, A = a, G = g;
        public readonly T* C = c, B = b, H = h, InverseD = inverseD, InverseE = inverseE;
        public readonly T* DataPrimalScale = dataPrimalScale, DataDualScale = dataDualScale;
    }

    /// <summary>Work space per item, in values, for a problem with n variables, p equalities and m inequalities.</summary>
    public static long ScratchPerItem(long n, long p, long m) => 3 * n + p + m;

    /// <summary>
    /// For the iterate (x, y, z, s): rx = −(Px + c + Aᵀy + Gᵀz), ry = b − Ax, rz = h − Gx − s and the measures;
    /// <paramref name="scratch"/> holds <see cref="ScratchPerItem"/> values per item.
    /// </summary>
    public static unsafe void Evaluate<T>(Problem<T> problem, long batch, BatchPoint<T> it, T* rx, T* ry, T* rz,
        T* measures, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = problem.P.Cols, p = problem.A.Rows, m = problem.G.Rows;
        long perItem = ScratchPerItem(n, p, m);
        BatchParallel.ForEachItem(batch, item => EvaluateItem(problem, item, n, p, m,
            it.X + item * n, it.Y + item * p, it.Z + item * m, it.S + item * m,
            rx + item * n, ry + item * p, rz + item * m, measures + item * (int)Measure.Count, scratch + item * perItem));
    }

    /// <summary>
    /// One item. Every sum is compensated (<see cref="CompensatedKernels"/>), so the residuals are as accurate as if
    /// computed in twice the precision: near the solution they are differences of terms far larger than
    /// themselves, and the Newton step can only correct what the residual shows (with Ruiz factors that are powers
    /// of two, these are the residuals of the original data up to exact scalings).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EvaluateItem<T>(Problem<T> problem, long item, int n, int p, int m, T* x, T* y, T* z, T* s,
        T* rx, T* ry, T* rz, T* measures, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* c = problem.C + item * n, b = problem.B + item * p, h = problem.H + item * m;
        // hi parts: Px in px, the constraint force Aᵀy + Gᵀz in rx, Ax in ry, Gx in rz; lo parts in the scratch.
        T* px = scratch, pxLo = px + n, forceLo = pxLo + n, axLo = forceLo + n, gxLo = axLo + p;
        T* pm = problem.P.Item(item), am = problem.A.Item(item), gm = problem.G.Item(item);
        // Each row read prefetches the same row of the next item (CachePrefetch), when every matrix is per item.
        bool ahead = item + 1 < problem.P.Items && problem.P.Items == problem.A.Items && problem.P.Items == problem.G.Items;
        T* nextP = ahead ? problem.P.Item(item + 1) : null, nextA = ahead ? problem.A.Item(item + 1) : null, nextG = ahead ? problem.G.Item(item + 1) : null;
        for (int j = 0; j < n; j++)
        {
            if (ahead) CachePrefetch.Values(nextP + (long)j * n, n);
            px[j] = CompensatedKernels.Dot(pm + (long)j * n, x, n, out pxLo[j]);
        }
        new Span<T>(rx, n).Clear();
        new Span<T>(forceLo, n).Clear();
        for (int i = 0; i < p; i++)
        {
            if (ahead) CachePrefetch.Values(nextA + (long)i * n, n);
            ry[i] = CompensatedKernels.Dot(am + (long)i * n, x, n, out axLo[i]);
            CompensatedKernels.AddScaled(am + (long)i * n, y[i], rx, forceLo, n);
        }
        for (int i = 0; i < m; i++)
        {
            if (ahead) CachePrefetch.Values(nextG + (long)i * n, n);
            rz[i] = CompensatedKernels.Dot(gm + (long)i * n, x, n, out gxLo[i]);
            CompensatedKernels.AddScaled(gm + (long)i * n, z[i], rx, forceLo, n);
        }

        // The residual entries and the maxima of the measures (ResidualEntries), then the gap xᵀPx + cᵀx + bᵀy + hᵀz,
        // compensated and summed in this order; its terms (for the scale) in plain sums.
        var (dual, dualScale, primal, primalScale) = ResidualEntries(problem, item, n, p, m, px, pxLo, forceLo, axLo, gxLo, s, rx, ry, rz);
        T gap = T.Zero, gapLo = T.Zero;
        T xPx = T.Zero, cx = T.Zero, by = T.Zero, hz = T.Zero;
        for (int j = 0; j < n; j++)
        {
            CompensatedKernels.AddProduct(ref gap, ref gapLo, x[j], px[j]);
            gapLo += x[j] * pxLo[j];
            CompensatedKernels.AddProduct(ref gap, ref gapLo, c[j], x[j]);
            xPx += x[j] * px[j];
            cx += c[j] * x[j];
        }
        for (int i = 0; i < p; i++)
        {
            CompensatedKernels.AddProduct(ref gap, ref gapLo, b[i], y[i]);
            by += b[i] * y[i];
        }
        for (int i = 0; i < m; i++)
        {
            CompensatedKernels.AddProduct(ref gap, ref gapLo, h[i], z[i]);
            hz += h[i] * z[i];
        }

        measures[(int)Measure.Primal] = primal;
        measures[(int)Measure.Dual] = dual;
        measures[(int)Measure.Gap] = T.Abs(gap + gapLo);
        measures[(int)Measure.PrimalScale] = primalScale;
        measures[(int)Measure.DualScale] = dualScale;
        measures[(int)Measure.GapScale] = T.Max(T.One, T.Max(T.Max(T.Abs(xPx), T.Abs(cx)), T.Max(T.Abs(by), T.Abs(hz))));
    }

    /// <summary>
    /// The residual entries from the products (hi parts in rx, ry, rz on entry, lo parts given), compensated:
    /// rx = −(Px + Aᵀy + Gᵀz + c), ry = b − Ax, rz = h − Gx − s; and the largest unscaled entries: the dual and primal
    /// measures and, from the products, the dual and primal scales (from the data's scales on). Each entry is rounded as
    /// in a plain loop; the maxima are the same in any order, so the vector lanes (<see cref="LaneMaxima{T}"/>) give the
    /// loop's values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (T Dual, T DualScale, T Primal, T PrimalScale) ResidualEntries<T>(Problem<T> problem, long item, int n, int p, int m,
        T* px, T* pxLo, T* forceLo, T* axLo, T* gxLo, T* s, T* rx, T* ry, T* rz) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* c = problem.C + item * n, b = problem.B + item * p, h = problem.H + item * m;
        T* inverseD = problem.InverseD + item * n, inverseE = problem.InverseE + item * (p + m);
        T* inverseEA = inverseE, inverseEG = inverseE + p;
        T dual = T.Zero, dualScale = T.Max(T.One, problem.DataDualScale[item]);
        T primal = T.Zero, primalScale = T.Max(T.One, problem.DataPrimalScale[item]);
        var (dualLanes, primalLanes) = (new LaneMaxima<T>(), new LaneMaxima<T>());
        int j = 0, i = 0, k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            for (; j + width <= n; j += width)
            {
                var (product, force, inverse) = (Vector256.Load(px + j), Vector256.Load(rx + j), Vector256.Load(inverseD + j));
                dualLanes.TakeScale(Vector256.Abs(product * inverse));
                dualLanes.TakeScale(Vector256.Abs(force * inverse));
                var sumLo = Vector256.Load(pxLo + j) + Vector256.Load(forceLo + j);
                var sum = CompensatedKernels.TwoSum(product, force, out var error);
                sumLo += error;
                sum = CompensatedKernels.TwoSum(sum, Vector256.Load(c + j), out error);
                sumLo += error;
                var entry = -(sum + sumLo);
                Vector256.Store(entry, rx + j);
                dualLanes.TakeMeasure(Vector256.Abs(entry * inverse));
            }
            for (; i + width <= p; i += width)
            {
                var (product, inverse) = (Vector256.Load(ry + i), Vector256.Load(inverseEA + i));
                primalLanes.TakeScale(Vector256.Abs(product * inverse));
                var sum = CompensatedKernels.TwoSum(Vector256.Load(b + i), -product, out var error);
                var entry = sum + (-Vector256.Load(axLo + i) + error);
                Vector256.Store(entry, ry + i);
                primalLanes.TakeMeasure(Vector256.Abs(entry * inverse));
            }
            for (; k + width <= m; k += width)
            {
                var (product, slack, inverse) = (Vector256.Load(rz + k), Vector256.Load(s + k), Vector256.Load(inverseEG + k));
                primalLanes.TakeScale(Vector256.Abs(product * inverse));
                primalLanes.TakeScale(Vector256.Abs(slack * inverse));
                var sumLo = -Vector256.Load(gxLo + k);
                var sum = CompensatedKernels.TwoSum(Vector256.Load(h + k), -product, out var error);
                sumLo += error;
                sum = CompensatedKernels.TwoSum(sum, -slack, out error);
                sumLo += error;
                var entry = sum + sumLo;
                Vector256.Store(entry, rz + k);
                primalLanes.TakeMeasure(Vector256.Abs(entry * inverse));
            }
        }
        for (; j < n; j++)
        {
            dualScale = T.Max(dualScale, T.Max(T.Abs(px[j] * inverseD[j]), T.Abs(rx[j] * inverseD[j])));
            T sum = px[j], sumLo = pxLo[j] + forceLo[j];
            CompensatedKernels.Add(ref sum, ref sumLo, rx[j]);
            CompensatedKernels.Add(ref sum, ref sumLo, c[j]);
            rx[j] = -(sum + sumLo);
            dual = T.Max(dual, T.Abs(rx[j] * inverseD[j]));
        }
        for (; i < p; i++)
        {
            primalScale = T.Max(primalScale, T.Abs(ry[i] * inverseEA[i]));
            T sum = b[i], sumLo = -axLo[i];
            CompensatedKernels.Add(ref sum, ref sumLo, -ry[i]);
            ry[i] = sum + sumLo;
            primal = T.Max(primal, T.Abs(ry[i] * inverseEA[i]));
        }
        for (; k < m; k++)
        {
            primalScale = T.Max(primalScale, T.Max(T.Abs(rz[k] * inverseEG[k]), T.Abs(s[k] * inverseEG[k])));
            T sum = h[k], sumLo = -gxLo[k];
            CompensatedKernels.Add(ref sum, ref sumLo, -rz[k]);
            CompensatedKernels.Add(ref sum, ref sumLo, -s[k]);
            rz[k] = sum + sumLo;
            primal = T.Max(primal, T.Abs(rz[k] * inverseEG[k]));
        }
        return (dualLanes.Measure(dual), dualLanes.Scale(dualScale), primalLanes.Measure(primal), primalLanes.Scale(primalScale));
    }

    /// <summary>
    /// Two running maxima of magnitudes in vector lanes (a measure and its scale), with a flag per maximum for a NaN,
    /// which makes the maximum NaN as <c>T.Max</c> makes it (the native maximum is the maximum otherwise).
    /// </summary>
    private struct LaneMaxima<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        private Vector256<T> _measure = Vector256<T>.Zero, _scale = Vector256<T>.Zero, _measureNaN = Vector256<T>.Zero, _scaleNaN = Vector256<T>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void TakeMeasure(Vector256<T> magnitude)
        {
            _measureNaN |= ~Vector256.Equals(magnitude, magnitude);
            _measure = Vector256.MaxNative(_measure, magnitude);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void TakeScale(Vector256<T> magnitude)
        {
            _scaleNaN |= ~Vector256.Equals(magnitude, magnitude);
            _scale = Vector256.MaxNative(_scale, magnitude);
        }

        /// <summary>max(<paramref name="value"/>, the measure's lanes).</summary>
        public readonly T Measure(T value) => Combine(value, _measure, _measureNaN);

        /// <summary>max(<paramref name="value"/>, the scale's lanes).</summary>
        public readonly T Scale(T value) => Combine(value, _scale, _scaleNaN);

        private static T Combine(T value, Vector256<T> lanes, Vector256<T> nan)
        {
            if (Vector256.ExtractMostSignificantBits(nan) != 0) return T.Abs(T.NaN);
            for (int lane = 0; lane < Vector256<T>.Count; lane++) value = T.Max(value, lanes[lane]);
            return value;
        }
    }
}
