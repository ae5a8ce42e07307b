using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The Ruiz sweeps of the shared equilibration on the CPU, one item at a time (<see cref="RuizTensor"/> is the batched
/// tensor form): an item's P and constraint rows stay in cache for all its sweeps (their magnitudes taken as the
/// entries are read), where the batched tensor form streams the whole batch's magnitudes from memory (and writes a
/// scaled copy) once per sweep. Each sweep reads each matrix once: the column norms of E|P|E and of every D_k|M_k|E
/// and the row norms of D_k|M_k|E (both from the entries (d_i|m_ij|)e_j, as in the tensor form), all with the factors
/// of the sweep's start (Ruiz, "A scaling algorithm to equilibrate both rows and columns norms in matrices", 2001). An item stops once no factor of its sweep moved by
/// more than <see cref="RuizSettings.ConvergedChange"/>.
/// </summary>
internal static class RuizKernel
{
    /// <summary>
    /// One constraint block: its matrices (rows × n per item, signed), row factors (items, rows) and row groups; for a
    /// single item, optionally its nonzeros (<paramref name="nonzeros"/>), which the sweeps then read instead.
    /// </summary>
    public readonly unsafe struct Block(BatchMatrices<double> matrix, double* factors, RowGroups groups, CompressedRows? nonzeros = null)
    {
        /// <summary>The block's matrices.</summary>
        public readonly BatchMatrices<double> Matrix = matrix;

        /// <summary>The contiguous (items, rows) row factors.</summary>
        public readonly double* Factors = factors;

        /// <summary>The rows that share a factor.</summary>
        public readonly RowGroups Groups = groups;

        /// <summary>The nonzeros of the single item's matrix, or null to read it densely.</summary>
        public readonly CompressedRows? Nonzeros = nonzeros;
    }

    /// <summary>
    /// Computes, per item, the column factors (items, n) of P (n × n per item, signed; only the magnitudes count; null
    /// for P = 0) and the row factors of each block, into outputs that must hold ones on entry. Does not round to powers
    /// of two nor scale the cost (<see cref="RuizTensor"/> and <see cref="CostScale"/> do). For a single item,
    /// <paramref name="sparseP"/> (P's nonzeros) and the blocks' nonzeros make each sweep cost the nonzeros.
    /// </summary>
    public static unsafe void Equilibrate(BatchMatrices<double>? p, Block[] blocks, int n, long items, RuizSettings settings, double* columns,
        CompressedRows? sparseP = null)
    {
        if ((sparseP is not null || blocks.Any(block => block.Nonzeros is not null)) && items != 1)
            throw new ArgumentException("Nonzeros describe a single item's matrices.", nameof(items));
        int rows = blocks.Sum(block => block.Matrix.Rows);
        BatchParallel.ForEachItem(items, item =>
        {
            var work = new double[n + rows];
            fixed (double* norms = work)
            {
                for (int sweep = 0; sweep < settings.Sweeps; sweep++)
                {
                    double change = Sweep(p, sparseP, blocks, item, n, columns + item * n, norms, settings);
                    if (change <= settings.ConvergedChange) break;
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

    /// <summary>One sweep on one item, with <paramref name="norms"/> (n + all rows) as work space; returns the largest |step − 1|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Sweep(BatchMatrices<double>? p, CompressedRows? sparseP, Block[] blocks, long item, int n, double* d, double* norms,
        RuizSettings settings)
    {
        double* columnNorm = norms;
        new Span<double>(columnNorm, n).Clear();
        if (sparseP is not null)
        {
            for (int i = 0; i < n; i++)
                MaxScaledNonzeros(sparseP, i, d[i], null, columnNorm);
        }
        else if (p is { } quadratic)
        {
            double* pItem = quadratic.Item(item);
            for (int i = 0; i < n; i++)
                MaxScaledRow(pItem + (long)i * n, n, d[i], columnNorm);
        }
        double* rowNorm = norms + n;
        foreach (var block in blocks)
        {
            double* matrix = block.Matrix.Item(item), factors = block.Factors + item * block.Matrix.Rows;
            for (int i = 0; i < block.Matrix.Rows; i++)
            {
                rowNorm[i] = block.Nonzeros is { } nonzeros
                    ? MaxScaledNonzeros(nonzeros, i, factors[i], d, columnNorm)
                    : MaxScaledRowAndColumns(matrix + (long)i * n, n, factors[i], d, columnNorm);
            }
            rowNorm += block.Matrix.Rows;
        }
        for (int j = 0; j < n; j++) columnNorm[j] *= d[j];

        double change = Apply(columnNorm, d, n, RowGroups.Singletons, settings);
        rowNorm = norms + n;
        foreach (var block in blocks)
        {
            int rows = block.Matrix.Rows;
            change = Math.Max(change, Apply(rowNorm, block.Factors + item * rows, rows, block.Groups, settings));
            rowNorm += rows;
        }
        return change;
    }

    /// <summary>
    /// Divides each factor by √(limited norm), a group's factors by √ of their mean limited norm
    /// (<see cref="RuizSettings.Limit(double)"/>); returns the largest |step − 1|.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Apply(double* norms, double* factors, int length, RowGroups groups, RuizSettings settings)
    {
        // Rows in groups take their group's mean limited norm first; single rows and columns are limited in the loops below.
        var limited = new Span<double>(norms, length);
        bool grouped = groups.Runs.Count > 0;
        if (grouped)
        {
            for (int i = 0; i < length; i++) limited[i] = settings.Limit(limited[i]);
            groups.Average(limited);
        }
        // Square roots and quotients are correctly rounded in either form, so the vector lanes give the scalar bits; the
        // changes are finite and nonnegative, where the native maximum is the maximum.
        double change = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1.0);
            var changes = Vector256<double>.Zero;
            for (; k + 4 <= length; k += 4)
            {
                var norm = Vector256.Load(norms + k);
                var root = Vector256.Sqrt(grouped ? norm : settings.Limit(norm));
                Vector256.Store(Vector256.Load(factors + k) / root, factors + k);
                changes = Vector256.MaxNative(changes, Vector256.Abs(one / root - one));
            }
            change = Math.Max(Math.Max(changes[0], changes[1]), Math.Max(changes[2], changes[3]));
        }
        for (; k < length; k++)
        {
            double root = Math.Sqrt(grouped ? limited[k] : settings.Limit(limited[k]));
            factors[k] /= root;
            change = Math.Max(change, Math.Abs(1 / root - 1));
        }
        return change;
    }

    /// <summary>columnMax_j = max(columnMax_j, scale·|row_j|) for j &lt; length.</summary>
    /// <remarks>
    /// Here and in <see cref="MaxScaledRowAndColumns"/> the entries are finite and the maxima nonnegative, where the native
    /// maximum is the maximum. A maximum is the same in any order and taking an entry twice changes nothing, so the
    /// vector lanes give the scalar norms: a row whose length is not a multiple of the lanes' width takes its last
    /// full-width block first (it overlaps the first blocks; taken first, its store is done before they read the maxima).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void MaxScaledRow(double* row, int length, double scale, double* columnMax)
    {
        if (Vector512.IsHardwareAccelerated && length >= 8)
        {
            var factor = Vector512.Create(scale);
            int tail = length - 8;
            Vector512.Store(Vector512.MaxNative(Vector512.Load(columnMax + tail), factor * Vector512.Abs(Vector512.Load(row + tail))), columnMax + tail);
            for (int j = 0; j < tail; j += 8)
                Vector512.Store(Vector512.MaxNative(Vector512.Load(columnMax + j), factor * Vector512.Abs(Vector512.Load(row + j))), columnMax + j);
            return;
        }
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(scale);
            for (; k + 4 <= length; k += 4)
                Vector256.Store(Vector256.MaxNative(Vector256.Load(columnMax + k), factor * Vector256.Abs(Vector256.Load(row + k))), columnMax + k);
        }
        for (; k < length; k++) columnMax[k] = Math.Max(columnMax[k], scale * Math.Abs(row[k]));
    }

    /// <summary>
    /// One row's share of both norms from one read: with t_j = scale·|row_j|, columnMax_j = max(columnMax_j, t_j) for
    /// j &lt; length, and returns max_j t_j·weight_j (0 for an empty row), the row's norm in D|M|E.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double MaxScaledRowAndColumns(double* row, int length, double scale, double* weight, double* columnMax)
    {
        if (Vector512.IsHardwareAccelerated && length >= 8)
        {
            var factor = Vector512.Create(scale);
            int tail = length - 8;
            var scaled = factor * Vector512.Abs(Vector512.Load(row + tail));
            Vector512.Store(Vector512.MaxNative(Vector512.Load(columnMax + tail), scaled), columnMax + tail);
            var acc = scaled * Vector512.Load(weight + tail);
            for (int j = 0; j < tail; j += 8)
            {
                scaled = factor * Vector512.Abs(Vector512.Load(row + j));
                Vector512.Store(Vector512.MaxNative(Vector512.Load(columnMax + j), scaled), columnMax + j);
                acc = Vector512.MaxNative(acc, scaled * Vector512.Load(weight + j));
            }
            var half = Vector256.MaxNative(acc.GetLower(), acc.GetUpper());
            return Math.Max(Math.Max(half[0], half[1]), Math.Max(half[2], half[3]));
        }
        double max = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated && length >= 4)
        {
            var factor = Vector256.Create(scale);
            var acc = Vector256<double>.Zero;
            for (; k + 4 <= length; k += 4)
            {
                var scaled = factor * Vector256.Abs(Vector256.Load(row + k));
                Vector256.Store(Vector256.MaxNative(Vector256.Load(columnMax + k), scaled), columnMax + k);
                acc = Vector256.MaxNative(acc, scaled * Vector256.Load(weight + k));
            }
            max = Math.Max(Math.Max(acc[0], acc[1]), Math.Max(acc[2], acc[3]));
        }
        for (; k < length; k++)
        {
            double scaled = scale * Math.Abs(row[k]);
            columnMax[k] = Math.Max(columnMax[k], scaled);
            max = Math.Max(max, scaled * weight[k]);
        }
        return max;
    }

    /// <summary>
    /// <see cref="MaxScaledRowAndColumns"/> over row i's nonzeros only (zeros add nothing to a maximum, so the norms are
    /// the dense ones exactly); with <paramref name="weight"/> null only the column maxima are updated (returns 0).
    /// </summary>
    private static unsafe double MaxScaledNonzeros(CompressedRows rows, int i, double scale, double* weight, double* columnMax)
    {
        double max = 0;
        for (int k = rows.Starts[i]; k < rows.Starts[i + 1]; k++)
        {
            int j = rows.ColumnIndices[k];
            double scaled = scale * Math.Abs(rows.Values[k]);
            columnMax[j] = Math.Max(columnMax[j], scaled);
            if (weight != null) max = Math.Max(max, scaled * weight[j]);
        }
        return max;
    }
}
