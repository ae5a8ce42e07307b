using System.Buffers;
using DiffOpt.Native;
using DiffOpt.Numerics;
using TorchSharp;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// LU factorisations with partial pivoting of a batch of dense float64 CPU matrices (B, N, N), one LAPACK call per
/// item and items in parallel (<see cref="BatchParallel"/>), with each item's reciprocal condition number in the
/// 1-norm estimated by Hager's method (Higham, "Accuracy and Stability of Numerical Algorithms", 2002, §15.3:
/// a lower bound on ‖A⁻¹‖₁ from a few solves, usually within a factor 3 of it). Avoids libtorch's batched SVD,
/// which the singularity test would otherwise need.
/// </summary>
internal sealed class BatchedLu
{
    private readonly Item[] _items;
    private readonly int _n;

    /// <summary>Whether the routine serves <paramref name="matrix"/> (CPU float64, LAPACK found, kernels allowed).</summary>
    public static bool Serves(torch.Tensor matrix) => NativeLu.IsAvailable && !KernelSwitch.TensorPathOnly
        && matrix.device_type == DeviceType.CPU && matrix.dtype == torch.ScalarType.Float64 && matrix.shape[1] > 0;

    /// <summary>
    /// Factorises every item of the (B, N, N) float64 CPU <paramref name="matrix"/>. A column whose only nonzero is its
    /// diagonal entry d decouples: its unknown follows from its row after the rest is solved (and, transposed, is r/d
    /// before), so it is left out of the factorisation (the derivative's J has one such column per row where
    /// DΠ_K*(v) vanishes, e.g. every inactive inequality of an LP).
    /// </summary>
    public BatchedLu(torch.Tensor matrix)
    {
        int batch = (int)matrix.shape[0];
        _n = (int)matrix.shape[1];
        int size = _n * _n;
        var values = TensorCopy.ToDoubles(matrix);
        _items = new Item[batch];
        ReciprocalCondition = new double[batch];
        BatchParallel.ForEachItem(batch, index => FactorItem((int)index, values.AsSpan((int)index * size, size)));
    }

    /// <summary>
    /// Factorises a batch of <paramref name="batch"/> matrices of order <paramref name="n"/> that
    /// <paramref name="fill"/> writes one at a time (item, row-major n × n destination), so that the batch is never
    /// held densely at once; otherwise as the tensor constructor.
    /// </summary>
    public BatchedLu(int batch, int n, Action<int, Span<double>> fill)
    {
        _n = n;
        _items = new Item[batch];
        ReciprocalCondition = new double[batch];
        BatchParallel.ForEachItem(batch, index =>
        {
            var scratch = ArrayPool<double>.Shared.Rent(n * n);
            try
            {
                var source = scratch.AsSpan(0, n * n);
                fill((int)index, source);
                FactorItem((int)index, source);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scratch);
            }
        });
    }

    /// <summary>Splits, factorises and estimates the condition of item <paramref name="i"/> from its row-major matrix.</summary>
    private void FactorItem(int i, ReadOnlySpan<double> source)
    {
        int n = _n;
        var item = _items[i] = Item.Create(source, n);
        int k = item.Kept.Length;
        double norm = 0;
        for (int column = 0; column < k; column++)
        {
            double sum = 0;
            for (int row = 0; row < k; row++)
            {
                double v = source[item.Kept[row] * n + item.Kept[column]];
                item.Factors[column * k + row] = v;
                sum += Math.Abs(v);
            }
            norm = Math.Max(norm, sum);
        }
        int info = k == 0 ? 0 : NativeLu.Factor(item.Factors, item.Pivots, k);
        ReciprocalCondition[i] = k == 0 ? 1 : info != 0 || !(norm > 0) ? 0 : 1 / (norm * InverseNormEstimate.Of(k,
            (b, transpose) => NativeLu.Solve(item.Factors, item.Pivots, k, b, transpose)));
        if (!double.IsFinite(ReciprocalCondition[i])) ReciprocalCondition[i] = 0;
    }

    /// <summary>Per item, the estimate of 1/(‖A‖₁‖A⁻¹‖₁) of the factorised part (0 for an exactly singular or non-finite item).</summary>
    public double[] ReciprocalCondition { get; }

    /// <summary>Overwrites the rows of <paramref name="rhs"/> (B × N, row-major) with A⁻¹r (or A⁻ᵀr) per item; items in <paramref name="skip"/> get 0.</summary>
    public void Solve(double[] rhs, bool transpose, bool[] skip)
    {
        int n = _n;
        BatchParallel.ForEachItem(skip.Length, index =>
        {
            int i = (int)index;
            var b = rhs.AsSpan(i * n, n);
            if (skip[i]) b.Clear();
            else _items[i].Solve(b, transpose);
        });
    }

    /// <summary>Overwrites b (length N) with item <paramref name="item"/>'s A⁻¹b (or A⁻ᵀb).</summary>
    public void SolveItem(int item, Span<double> b, bool transpose) => _items[item].Solve(b, transpose);

    /// <summary>One item: the kept rows and columns, their LU, and the decoupled columns' rows.</summary>
    private sealed class Item
    {
        private double[] _work = [];

        /// <summary>The rows and columns in the factorisation.</summary>
        public required int[] Kept { get; init; }

        /// <summary>The decoupled columns.</summary>
        public required int[] Decoupled { get; init; }

        /// <summary>Row j of A for each decoupled j, full length N, one after another.</summary>
        public required double[] DecoupledRows { get; init; }

        /// <summary>The column-major LU of the kept part.</summary>
        public required double[] Factors { get; init; }

        /// <summary>LAPACK's pivots.</summary>
        public required int[] Pivots { get; init; }

        /// <summary>Splits the columns of the row-major n × n <paramref name="a"/>.</summary>
        public static Item Create(ReadOnlySpan<double> a, int n)
        {
            var kept = new List<int>();
            var decoupled = new List<int>();
            var offDiagonal = new bool[n];   // one row-major pass: whether column j has a nonzero off the diagonal
            for (int row = 0; row < n; row++)
            {
                var values = a.Slice(row * n, n);
                for (int j = 0; j < n; j++)
                    if (values[j] != 0 && j != row) offDiagonal[j] = true;
            }
            for (int j = 0; j < n; j++) (a[j * n + j] != 0 && !offDiagonal[j] ? decoupled : kept).Add(j);
            var rows = new double[decoupled.Count * n];
            for (int d = 0; d < decoupled.Count; d++) a.Slice(decoupled[d] * n, n).CopyTo(rows.AsSpan(d * n, n));
            return new Item
            {
                Kept = [.. kept], Decoupled = [.. decoupled], DecoupledRows = rows,
                // Uninitialised: FactorItem writes every entry (zeroing first is another pass over fresh pages).
                Factors = GC.AllocateUninitializedArray<double>(kept.Count * kept.Count), Pivots = new int[kept.Count],
            };
        }

        /// <summary>A⁻¹b (or A⁻ᵀb) in place.</summary>
        public void Solve(Span<double> b, bool transpose)
        {
            int n = b.Length, k = Kept.Length;
            if (_work.Length != k) _work = new double[k];
            var work = _work.AsSpan();
            if (!transpose)
            {
                // Rows of kept indices do not involve decoupled unknowns (their columns are zero off the diagonal).
                for (int r = 0; r < k; r++) work[r] = b[Kept[r]];
                if (k > 0) NativeLu.Solve(Factors, Pivots, k, work, transpose: false);
                for (int r = 0; r < k; r++) b[Kept[r]] = work[r];
                for (int d = 0; d < Decoupled.Length; d++)
                {
                    int j = Decoupled[d];
                    var row = DecoupledRows.AsSpan(d * n, n);
                    double sum = b[j];
                    foreach (int column in Kept) sum -= row[column] * b[column];
                    b[j] = sum / row[j];
                }
                return;
            }
            // Aᵀ's row j is d·e_jᵀ for a decoupled j; its column j (row j of A) moves to the right-hand side.
            for (int d = 0; d < Decoupled.Length; d++) b[Decoupled[d]] /= DecoupledRows[d * n + Decoupled[d]];
            for (int r = 0; r < k; r++)
            {
                double sum = b[Kept[r]];
                for (int d = 0; d < Decoupled.Length; d++) sum -= DecoupledRows[d * n + Kept[r]] * b[Decoupled[d]];
                work[r] = sum;
            }
            if (k > 0) NativeLu.Solve(Factors, Pivots, k, work, transpose: true);
            for (int r = 0; r < k; r++) b[Kept[r]] = work[r];
        }
    }
}
