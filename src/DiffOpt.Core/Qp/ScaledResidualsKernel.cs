using System.Numerics;
using System.Runtime.CompilerServices;

namespace DiffOpt.Qp;

/// <summary>
/// The residuals of <see cref="QpResiduals"/> and their unscaled measures on the CPU, one item at a time: the
/// products with P, A and G (each row read once, as in <see cref="MatrixProductsKernel"/>), the residual vectors and
/// the six norms in one pass, where the batched form takes some forty tensor operations per iteration.
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

    /// <summary>
    /// For the iterate (x, y, z, s): rx = −(Px + c + Aᵀy + Gᵀz), ry = b − Ax, rz = h − Gx − s and the measures;
    /// <paramref name="scratch"/> holds n values per item.
    /// </summary>
    public static unsafe void Evaluate<T>(Problem<T> problem, long batch, BatchPoint<T> it, T* rx, T* ry, T* rz,
        T* measures, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = problem.P.Cols, p = problem.A.Rows, m = problem.G.Rows;
        BatchParallel.ForEachItem(batch, item => EvaluateItem(problem, item, n, p, m,
            it.X + item * n, it.Y + item * p, it.Z + item * m, it.S + item * m,
            rx + item * n, ry + item * p, rz + item * m, measures + item * (int)Measure.Count, scratch + item * n));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EvaluateItem<T>(Problem<T> problem, long item, int n, int p, int m, T* x, T* y, T* z, T* s,
        T* rx, T* ry, T* rz, T* measures, T* px) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* c = problem.C + item * n, b = problem.B + item * p, h = problem.H + item * m;
        T* inverseD = problem.InverseD + item * n, inverseE = problem.InverseE + item * (p + m);
        T* inverseEA = inverseE, inverseEG = inverseE + p;

        // rx first holds the constraint force Aᵀy + Gᵀz; ry and rz first hold Ax and Gx.
        MatrixProductsKernel.MultiplyRows(problem.P.Item(item), n, n, x, px);
        new Span<T>(rx, n).Clear();
        MatrixProductsKernel.MultiplyAndAddTransposed(problem.A.Item(item), p, n, x, ry, y, rx);
        MatrixProductsKernel.MultiplyAndAddTransposed(problem.G.Item(item), m, n, x, rz, z, rx);

        T dual = T.Zero, dualScale = T.Max(T.One, problem.DataDualScale[item]);
        T xPx = T.Zero, cx = T.Zero;
        for (int j = 0; j < n; j++)
        {
            dualScale = T.Max(dualScale, T.Max(T.Abs(px[j] * inverseD[j]), T.Abs(rx[j] * inverseD[j])));
            rx[j] = -(px[j] + c[j] + rx[j]);
            dual = T.Max(dual, T.Abs(rx[j] * inverseD[j]));
            xPx += x[j] * px[j];
            cx += c[j] * x[j];
        }
        T primal = T.Zero, primalScale = T.Max(T.One, problem.DataPrimalScale[item]), by = T.Zero, hz = T.Zero;
        for (int i = 0; i < p; i++)
        {
            primalScale = T.Max(primalScale, T.Abs(ry[i] * inverseEA[i]));
            ry[i] = b[i] - ry[i];
            primal = T.Max(primal, T.Abs(ry[i] * inverseEA[i]));
            by += b[i] * y[i];
        }
        for (int i = 0; i < m; i++)
        {
            primalScale = T.Max(primalScale, T.Max(T.Abs(rz[i] * inverseEG[i]), T.Abs(s[i] * inverseEG[i])));
            rz[i] = h[i] - rz[i] - s[i];
            primal = T.Max(primal, T.Abs(rz[i] * inverseEG[i]));
            hz += h[i] * z[i];
        }

        measures[(int)Measure.Primal] = primal;
        measures[(int)Measure.Dual] = dual;
        measures[(int)Measure.Gap] = T.Abs(xPx + cx + by + hz);
        measures[(int)Measure.PrimalScale] = primalScale;
        measures[(int)Measure.DualScale] = dualScale;
        measures[(int)Measure.GapScale] = T.Max(T.One, T.Max(T.Max(T.Abs(xPx), T.Abs(cx)), T.Max(T.Abs(by), T.Abs(hz))));
    }
}
