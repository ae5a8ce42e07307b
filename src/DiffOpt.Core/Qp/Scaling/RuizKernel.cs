using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The Ruiz passes of <see cref="RuizEquilibration"/> on the CPU, one item at a time: an item's P, A and G stay in
/// cache for all its passes (their magnitudes taken as the entries are read), where the batched tensor form streams
/// the whole batch's |P|, |A|, |G| from memory (and writes a scaled copy) once per pass. Each pass reads each matrix once: the column norms of D|P|D, E|A|D,
/// E|G|D and the row norms of E|A|D, E|G|D, all with the scalings of the pass's start (Ruiz, "A scaling algorithm
/// to equilibrate both rows and columns norms in matrices", 2001). An item stops once no factor of its pass
/// moved by more than the given change.
/// </summary>
internal static class RuizKernel
{
    /// <summary>
    /// Computes, per item, the scalings d (n), eA (p) and eG (m) of the matrices P, A, G (signed entries; only their
    /// magnitudes count) into the contiguous (items, ·) outputs, which must hold ones on entry.
    /// </summary>
    public static unsafe void Equilibrate(BatchMatrices<double> p, BatchMatrices<double> a, BatchMatrices<double> g, long items, int iterations,
        double minNorm, double maxNorm, double convergedChange, double* d, double* eA, double* eG)
    {
        int n = p.Cols, rowsA = a.Rows, rowsG = g.Rows;
        BatchParallel.ForEachItem(items, item =>
        {
            var work = new double[n + rowsA + rowsG];
            fixed (double* norms = work)
            {
                var scaling = new ItemScaling(d + item * n, n, eA + item * rowsA, rowsA, eG + item * rowsG, rowsG);
                for (int pass = 0; pass < iterations; pass++)
                {
                    double change = Pass(p.Item(item), a.Item(item), g.Item(item), scaling, norms, minNorm, maxNorm);
                    if (change <= convergedChange) break;
                }
            }
        });
    }

    /// <summary>
    /// result[i] = diag(left[i])·M[i]·diag(right[i]) for i &lt; items, each entry as (left_r·M_rc)·right_c like the
    /// tensor form; M may be shared (one matrix for every item), result is contiguous (items, rows, cols).
    /// </summary>
    public static unsafe void ScaleRowsAndColumns<T>(BatchMatrices<T> m, long items, T* left, T* right, T* result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = m.Rows, cols = m.Cols;
        BatchParallel.ForEachItem(items, item =>
        {
            T* source = m.Item(item), target = result + item * rows * (long)cols, columnFactors = right + item * cols;
            for (int r = 0; r < rows; r++)
                ScaleRow(source + (long)r * cols, left[item * rows + r], columnFactors, target + (long)r * cols, cols);
        });
    }

    /// <summary>target_c = (factor·row_c)·columnFactors_c for c &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScaleRow<T>(T* row, T factor, T* columnFactors, T* target, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            var scale = Vector256.Create(factor);
            for (; c + width <= length; c += width)
                Vector256.Store(scale * Vector256.Load(row + c) * Vector256.Load(columnFactors + c), target + c);
        }
        for (; c < length; c++) target[c] = factor * row[c] * columnFactors[c];
    }

    /// <summary>One item's factors: d (n), eA (rowsA), eG (rowsG).</summary>
    private readonly unsafe struct ItemScaling(double* d, int n, double* eA, int rowsA, double* eG, int rowsG)
    {
        public readonly double* D = d, EA = eA, EG = eG;
        public readonly int N = n, RowsA = rowsA, RowsG = rowsG;
    }

    /// <summary>One Ruiz pass on one item, with <paramref name="norms"/> (n + rowsA + rowsG) as work space; returns the largest |factor − 1|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Pass(double* p, double* a, double* g, ItemScaling s, double* norms, double minNorm, double maxNorm)
    {
        int n = s.N;
        double* columnNorm = norms, rowNormA = norms + n, rowNormG = norms + n + s.RowsA;
        new Span<double>(columnNorm, n).Clear();
        for (int i = 0; i < n; i++)
            MaxScaledRow(p + (long)i * n, n, s.D[i], columnNorm);
        for (int i = 0; i < s.RowsA; i++)
        {
            MaxScaledRow(a + (long)i * n, n, s.EA[i], columnNorm);
            rowNormA[i] = s.EA[i] * MaxWeighted(a + (long)i * n, n, s.D);
        }
        for (int i = 0; i < s.RowsG; i++)
        {
            MaxScaledRow(g + (long)i * n, n, s.EG[i], columnNorm);
            rowNormG[i] = s.EG[i] * MaxWeighted(g + (long)i * n, n, s.D);
        }
        for (int j = 0; j < n; j++) columnNorm[j] *= s.D[j];

        double change = Apply(columnNorm, s.D, n, minNorm, maxNorm);
        change = Math.Max(change, Apply(rowNormA, s.EA, s.RowsA, minNorm, maxNorm));
        return Math.Max(change, Apply(rowNormG, s.EG, s.RowsG, minNorm, maxNorm));
    }

    /// <summary>Multiplies each factor by 1/√norm (norms below <paramref name="minNorm"/> leave it, above <paramref name="maxNorm"/> are capped); returns the largest |step − 1|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Apply(double* norms, double* factors, int length, double minNorm, double maxNorm)
    {
        double change = 0;
        for (int i = 0; i < length; i++)
        {
            double norm = norms[i];
            double step = norm < minNorm ? 1 : 1 / Math.Sqrt(Math.Min(norm, maxNorm));
            factors[i] *= step;
            change = Math.Max(change, Math.Abs(step - 1));
        }
        return change;
    }

    /// <summary>columnMax_j = max(columnMax_j, scale·|row_j|) for j &lt; length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MaxScaledRow(double* row, int length, double scale, double* columnMax)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(scale);
            for (; j + 4 <= length; j += 4)
                Vector256.Store(Vector256.Max(Vector256.Load(columnMax + j), factor * Vector256.Abs(Vector256.Load(row + j))), columnMax + j);
        }
        for (; j < length; j++) columnMax[j] = Math.Max(columnMax[j], scale * Math.Abs(row[j]));
    }

    /// <summary>max_j |row_j|·weight_j over j &lt; length (0 for an empty row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double MaxWeighted(double* row, int length, double* weight)
    {
        double max = 0;
        int j = 0;
        if (Vector256.IsHardwareAccelerated && length >= 4)
        {
            // Two independent chains: the max's latency, not the loads, bounds one.
            Vector256<double> acc0 = Vector256<double>.Zero, acc1 = Vector256<double>.Zero;
            for (; j + 8 <= length; j += 8)
            {
                acc0 = Vector256.Max(acc0, Vector256.Abs(Vector256.Load(row + j)) * Vector256.Load(weight + j));
                acc1 = Vector256.Max(acc1, Vector256.Abs(Vector256.Load(row + j + 4)) * Vector256.Load(weight + j + 4));
            }
            for (; j + 4 <= length; j += 4)
                acc0 = Vector256.Max(acc0, Vector256.Abs(Vector256.Load(row + j)) * Vector256.Load(weight + j));
            var acc = Vector256.Max(acc0, acc1);
            max = Math.Max(Math.Max(acc[0], acc[1]), Math.Max(acc[2], acc[3]));
        }
        for (; j < length; j++) max = Math.Max(max, Math.Abs(row[j]) * weight[j]);
        return max;
    }
}
