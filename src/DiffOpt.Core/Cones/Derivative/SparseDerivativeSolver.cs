using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Sparse solves with the derivative Jacobian J = [P, AᵀD; A, D − I] (D = DΠ_K*(v) block diagonal, symmetric, with
/// eigenvalues in [0, 1]) through a symmetric quasi-definite system of the same shape as the interior-point KKT matrix.
/// With D = QΛQᵀ per block, Â = QᵀA and u = Qᵀdv, every component with λ &gt; 0 becomes w = λu, and J·[dx; dv] = [r₁; r₂]
/// turns into K·[dx; w] = [r₁; Qᵀr₂] with K = [P, Âᵀ; Â, −W], W = diag((1 − λ)/λ) ⪰ 0; a component with λ = 0 is
/// decoupled (u = Â_i·dx − (Qᵀr₂)_i) and stays in K as the row −w_i = 0, so that all items share one pattern and one
/// symbolic factorisation. Jᵀ uses the same K (Λ is divided out of its rows). K + diag(δI, −δI) is factorised by
/// <see cref="SparseLdl"/> per item and every solve is refined against J itself. An item whose factorisation needs
/// dynamic regularisation, whose K̃⁻¹ is as large as a singular K makes it (<see cref="SingularInverseNorm"/>), or whose
/// refined residual stays above <see cref="IterativeRefinement.AcceptedResidual"/> is
/// solved by the dense <see cref="RefinedBatchSolver"/> instead (least squares when singular), built on demand.
/// </summary>
internal sealed class SparseDerivativeSolver : IDerivativeSolver
{
    /// <summary>Eigenvalues of D at most this count as 0 (decoupled components).</summary>
    internal const double ZeroEigenvalue = 1e-12;

    private readonly int _n, _m, _batch;
    private readonly CompressedRows[] _a;     // per item: A's values at the shared support (one object when A is shared)
    private readonly double[]? _p;           // (B, n, n), (n, n) when shared by the items, or null
    private readonly bool _sharedP;
    private readonly DerivativeBlocks _d;
    private readonly double[] _q, _lambda;   // eigenvectors per block (as D's layout) and eigenvalues per row, per item
    private readonly int[] _blockOf;          // the block of each row
    private readonly int[] _starts, _rows;   // K's upper triangle
    private readonly int[] _aEntry;           // for each entry of a bottom column: the variable j (rows < n), else −1
    private readonly SparseLdl?[] _factors;
    private readonly double[][] _rotated;     // per item: K's entry values with Â for every component (before zeroing)
    private readonly bool[] _dense;
    private readonly DenseFallback _fallback;
    private readonly Device _device;

    /// <summary>
    /// Factorises the items' K. <paramref name="a"/> (values (B, k) or (k) shared, at a support that contains the
    /// pattern's A entries) and <paramref name="p"/> ((B, n, n) or null) are float64 CPU; <paramref name="pattern"/> is
    /// the shared symbolic analysis from <see cref="Pattern"/>; <paramref name="fallback"/> builds the dense solver for a
    /// subset of items.
    /// </summary>
    public SparseDerivativeSolver(SparseBatchMatrix a, long batch, Tensor? p, DerivativeBlocks d, SparseLdlSymbolic pattern, int[] starts, int[] rows,
        Func<long[], RefinedBatchSolver> fallback)
    {
        _batch = (int)batch;
        _m = a.Rows;
        _n = a.Columns;
        _device = a.Values.device;
        var shared = a.Shared ? a.Item(0) : null;
        _a = Enumerable.Range(0, _batch).Select(item => shared ?? a.Item(item)).ToArray();
        // A P broadcast to the batch (stride 0) is read once, not copied per item.
        _sharedP = p is not null && p.shape[0] > 1 && p.stride(0) == 0;
        _p = p is null ? null : Native.TensorCopy.ToDoubles(_sharedP ? p[0] : p);
        _d = d;
        (_starts, _rows) = (starts, rows);
        _fallback = new DenseFallback(fallback);
        _blockOf = new int[_m];
        for (int k = 0; k < d.Starts.Length; k++)
            for (int i = 0; i < d.Sizes[k]; i++) _blockOf[d.Starts[k] + i] = k;
        _aEntry = new int[rows.Length];
        for (int j = 0; j < _n + _m; j++)
            for (int e = starts[j]; e < starts[j + 1]; e++) _aEntry[e] = j >= _n && rows[e] < _n ? rows[e] : -1;
        int storage = d.Storage[^1];
        _q = new double[_batch * storage];
        _lambda = new double[_batch * _m];
        _factors = new SparseLdl?[_batch];
        _rotated = new double[_batch][];
        _dense = new bool[_batch];
        BatchParallel.ForEachLongItem(_batch, item => _dense[item] = !FactorItem((int)item, pattern));
        Singular = zeros(_batch, dtype: ScalarType.Bool, device: _device);
        var refused = Enumerable.Range(0, _batch).Where(i => _dense[i]).Select(i => (long)i).ToArray();
        if (refused.Length > 0)
        {
            // Built now, so that Singular is known before the first solve.
            Singular = Singular.index_copy(0, tensor(refused, device: _device), _fallback.For(refused).Singular);
        }
    }

    /// <summary>
    /// The sparse solver for J when it is expected to be faster than the dense LU (CPU float64 data, A sparse: the
    /// factorisation's Σ|L_j|² times <see cref="SparseKktPattern.SparsePenalty"/> below the LU's (n + m)³/3), else null.
    /// </summary>
    /// <param name="cones">The cones of K.</param>
    /// <param name="a">A, (B, m, n) float64.</param>
    /// <param name="p">P, (B, n, n) float64, or null.</param>
    /// <param name="d">D = DΠ_K*(v), matrix-free.</param>
    /// <param name="dense">Forms the dense J of the given items (the fallback's matrix) from D's dense blocks.</param>
    /// <param name="activeSet">Whether the active-set path (<see cref="ActiveSetDerivativeSolver"/>) can take the batch
    /// instead: then null also when <see cref="ActiveSetCost"/> expects it to be cheaper than this solver.</param>
    /// <param name="force">Skip the density and cost rules and the tensor-path switch (tests).</param>
    public static SparseDerivativeSolver? TryCreate(IReadOnlyList<Cone> cones, Tensor a, Tensor? p, IConeOperator d,
        Func<long[], Tensor, Tensor> dense, bool activeSet = false, bool force = false)
    {
        if (!Serves(a, force) || a.shape[1] == 0) return null;
        using var noGrad = no_grad();
        // A's nonzeros alone already too many for the rule below: not worth gathering them.
        if (NonzeroMask(a, stopWhenTooDense: !force) is not { } aMask) return null;
        return TryCreate(cones, SparseBatchMatrix.Gather(a, aMask), a.shape[0], p, d, dense, activeSet, force);
    }

    /// <summary>
    /// The nonzero mask (m × n, the union over the items) of the dense float64 CPU <paramref name="a"/> (B, m, n), read
    /// in place item by item (a broadcast A once); null, when <paramref name="stopWhenTooDense"/>, as soon as the items
    /// read so far have too many nonzeros (<see cref="TooDense"/>: the union only grows), which for dense data is after
    /// the first item instead of a pass over the whole batch.
    /// </summary>
    private static bool[]? NonzeroMask(Tensor a, bool stopWhenTooDense)
    {
        int m = (int)a.shape[1], n = (int)a.shape[2], size = m * n;
        var items = a.shape[0] > 1 && a.stride(0) == 0 ? a[0].unsqueeze(0) : a;
        var view = Native.TensorCopy.View(items);
        bool[]? mask = new bool[size];
        long count = 0;
        for (long item = 0; item < items.shape[0]; item++)
        {
            var values = view.Slice(item * size, size);
            for (int k = 0; k < size; k++)
                if (!mask[k] && values[k] != 0)
                {
                    mask[k] = true;
                    count++;
                }
            if (stopWhenTooDense && TooDense(count, m, n))
            {
                mask = null;
                break;
            }
        }
        // The spans point into the view's tensor (a copy when A was not contiguous): keep it until they are read.
        GC.KeepAlive(view);
        return mask;
    }

    /// <summary>K's pattern and its symbolic analysis so far, by structure (a layer's batches share one).</summary>
    private static readonly StructureCache<(int[] Starts, int[] Rows, SparseLdlSymbolic Symbolic)> Analysed = new();

    /// <summary>Whether <paramref name="nonzeros"/> of A and P (m × n and n × n) are too many for the sparse solver to pay.</summary>
    private static bool TooDense(long nonzeros, long m, long n) => nonzeros > 0.3 * (m * n + n * n);

    /// <summary>
    /// The solver for A held sparsely (values (B, k) or (k), float64) in a batch of <paramref name="batch"/> items; see
    /// the overload for a dense A.
    /// </summary>
    /// <inheritdoc cref="TryCreate(IReadOnlyList{Cone}, Tensor, Tensor?, IConeOperator, Func{long[], Tensor, Tensor}, bool, bool)"/>
    public static SparseDerivativeSolver? TryCreate(IReadOnlyList<Cone> cones, SparseBatchMatrix a, long batch, Tensor? p, IConeOperator d,
        Func<long[], Tensor, Tensor> dense, bool activeSet = false, bool force = false)
    {
        long m = a.Rows, n = a.Columns;
        if (!Serves(a.Values, force) || m == 0) return null;
        using var noGrad = no_grad();
        var aMask = a.NonzeroMask();
        var pMask = p is null ? null
            : Native.TensorCopy.ToDoubles((p.stride(0) == 0 ? p[0].ne(ScalarSafeOperations.Zero) : p.ne(ScalarSafeOperations.Zero).any(0)).to(ScalarType.Float64)).Select(v => v != 0).ToArray();
        long nonzeros = aMask.Count(x => x) + (pMask?.Count(x => x) ?? 0);
        if (!force && TooDense(nonzeros, m, n)) return null;
        var blocks = new DerivativeBlocks(cones);
        var (starts, rows, symbolic) = Analysed.GetOrAdd(cones, (int)n, aMask, pMask, 0, () =>
        {
            var (starts, rows) = Pattern(blocks, (int)n, aMask, pMask);
            var positive = Enumerable.Range(0, (int)(n + m)).Select(i => i < n).ToArray();
            return (starts, rows, new SparseLdlSymbolic((int)(n + m), starts, rows, positive));
        });
        double sparseCost = SparseKktPattern.SparsePenalty * (symbolic.FactorFlops + 4.0 * (symbolic.FactorEntries + symbolic.Entries));
        if (!force && !(sparseCost < Math.Pow(n + m, 3) / 3)) return null;
        blocks.Read(d, batch, a.Values.device);
        double activeCost = activeSet ? ActiveSetCost.Of(blocks, batch, (int)n, aMask, pMask is not null) : double.NaN;
        if (!force && activeCost < sparseCost * batch) return null;
        return new SparseDerivativeSolver(a.Restrict(aMask), batch, p, blocks, symbolic, starts, rows,
            items => new RefinedBatchSolver(dense(items, blocks.Dense(items, a.Values.device))));
    }

    /// <summary>Whether the sparse solver can take data like <paramref name="values"/>: float64 on the CPU, and not on the tensor path unless forced.</summary>
    private static bool Serves(Tensor values, bool force) =>
        (!Native.KernelSwitch.TensorPathOnly || force) && values.device_type == TorchSharp.DeviceType.CPU && values.dtype == ScalarType.Float64;

    /// <summary>
    /// The upper triangle of K's pattern for A's (m × n, the union over the items) and P's (n × n or null) nonzero masks:
    /// a bottom column holds the union of the variables of its D block's rows (the rotation Qᵀ mixes them).
    /// </summary>
    public static (int[] Starts, int[] Rows) Pattern(DerivativeBlocks d, int n, bool[] aMask, bool[]? pMask)
    {
        var starts = new List<int> { 0 };
        var rows = new List<int>();
        for (int j = 0; j < n; j++)
        {
            for (int l = 0; l < j; l++)
                if (pMask is not null && (pMask[j * n + l] || pMask[l * n + j])) rows.Add(l);
            rows.Add(j);
            starts.Add(rows.Count);
        }
        var union = new bool[n];
        for (int k = 0; k < d.Starts.Length; k++)
        {
            Array.Clear(union);
            for (int i = d.Starts[k]; i < d.Starts[k] + d.Sizes[k]; i++)
                for (int j = 0; j < n; j++) union[j] |= aMask[i * n + j];
            for (int i = d.Starts[k]; i < d.Starts[k] + d.Sizes[k]; i++)
            {
                for (int j = 0; j < n; j++)
                    if (union[j]) rows.Add(j);
                // The block's earlier components: W is diagonal in the rotated coordinates, so only the diagonal.
                rows.Add(n + i);
                starts.Add(rows.Count);
            }
        }
        return (starts.ToArray(), rows.ToArray());
    }

    /// <inheritdoc />
    public Tensor Singular { get; private set; }

    /// <summary>Eigen-decomposes the item's D blocks, assembles and factorises K; false when the dense solver must take the item.</summary>
    private bool FactorItem(int item, SparseLdlSymbolic pattern)
    {
        int storage = _d.Storage[^1], n = _n;
        var q = _q.AsSpan(item * storage, storage);
        var lambda = _lambda.AsSpan(item * _m, _m);
        for (int k = 0; k < _d.Starts.Length; k++)
        {
            int r = _d.Sizes[k];
            var block = _d.Values.AsSpan(item * storage + _d.Storage[k], r * r).ToArray();
            if (!SmallDense.SymmetricEigen(block, r, lambda.Slice(_d.Starts[k], r), q.Slice(_d.Storage[k], r * r))) return false;
        }
        var values = new double[_rows.Length];
        for (int j = 0; j < n; j++)
            for (int e = _starts[j]; e < _starts[j + 1]; e++)
                values[e] = _p is null ? 0 : _p[(long)(_sharedP ? 0 : item) * n * n + j * n + _rows[e]];
        var rotated = new double[n];
        for (int j = n; j < n + _m; j++)
        {
            Rotated(_a[item], q, j - n, rotated);
            for (int e = _starts[j]; e < _starts[j + 1]; e++)
            {
                int i = _rows[e];
                if (i >= n) continue;
                values[e] = rotated[i];
                rotated[i] = 0;
            }
        }
        _rotated[item] = values;
        var factored = (double[])values.Clone();
        const double delta = HomogeneousKkt.StaticRegularization;
        for (int j = 0; j < n + _m; j++)
        {
            int last = _starts[j + 1] - 1; // the diagonal entry closes every column
            if (j < n)
            {
                factored[last] += delta;
                continue;
            }
            double l = Math.Clamp(lambda[j - n], 0, 1);
            if (l <= ZeroEigenvalue)
            {
                for (int e = _starts[j]; e < last; e++) factored[e] = 0;
                factored[last] = -1;
            }
            else factored[last] = -((1 - l) / l + delta);
        }
        var ldl = new SparseLdl(pattern);
        if (!ldl.Factor(factored) || ldl.Regularized > 0) return false;
        _factors[item] = ldl;
        // A singular J leaves K singular, and K̃ = K + diag(δI, −δI) then has ‖K̃⁻¹‖ ≈ 1/δ: such items go to the dense
        // LU, which decides by J's condition number and takes the least-squares solution.
        return InverseNormEstimate.Of(n + _m, (b, _) => ldl.Solve(b)) < SingularInverseNorm; // K̃ symmetric: K̃⁻ᵀ = K̃⁻¹
    }

    /// <summary>‖K̃⁻¹‖₁ at or above which an item counts as (nearly) singular: 1 % of the 1/δ a singular K gives.</summary>
    internal const double SingularInverseNorm = 1e-2 / HomogeneousKkt.StaticRegularization;

    /// <summary>
    /// target += Â_c = Σ_t Q[t, c]·A[row t] over the rows of component c's block (the entries of the block's variables;
    /// <paramref name="target"/> is zero there on entry).
    /// </summary>
    private void Rotated(CompressedRows a, ReadOnlySpan<double> q, int component, Span<double> target)
    {
        int k = _blockOf[component], start = _d.Starts[k], r = _d.Sizes[k], c = component - start;
        var block = q.Slice(_d.Storage[k], r * r);
        for (int t = 0; t < r; t++) a.AddScaled(start + t, block[t * r + c], target);
    }

    /// <inheritdoc />
    public (Tensor Solution, Tensor Residual) Solve(Tensor r, bool transpose)
    {
        int order = _n + _m;
        var rhs = Native.TensorCopy.ToDoubles(r);
        var solution = new double[rhs.Length];
        var residuals = new double[_batch];
        var failed = new bool[_batch];
        BatchParallel.ForEachLongItem(_batch, index =>
        {
            int item = (int)index;
            if (_dense[item])
            {
                failed[item] = true;
                return;
            }
            var work = new double[3 * order];
            residuals[item] = IterativeRefinement.Run(rhs.AsSpan(item * order, order), solution.AsSpan(item * order, order),
                (residual, correction) => SolveItem(item, residual, correction, transpose, work),
                (z, residual) => Residual(item, rhs.AsSpan(item * order, order), z, residual, transpose));
            failed[item] = !(residuals[item] <= IterativeRefinement.AcceptedResidual);
        });
        var result = tensor(solution, dtype: ScalarType.Float64, device: _device).view(_batch, order);
        var relative = tensor(residuals, dtype: ScalarType.Float64, device: _device);
        // The items the sparse path cannot serve, by the dense LU (least squares where J is singular).
        var singular = Singular;
        var merged = _fallback.Merge(r, transpose, failed, result, relative, ref singular);
        Singular = singular;
        return merged;
    }

    /// <summary>One solve J·z = b (or Jᵀ·z = b) with the item's factorisation, through K (see the class summary).</summary>
    private void SolveItem(int item, ReadOnlySpan<double> b, Span<double> z, bool transpose, double[] work)
    {
        int n = _n, m = _m, order = n + m, storage = _d.Storage[^1];
        var q = _q.AsSpan(item * storage, storage);
        var lambda = _lambda.AsSpan(item * m, m);
        var values = _rotated[item];
        var k = work.AsSpan(0, order);
        var rotated = work.AsSpan(order, m);
        b[..n].CopyTo(k);
        Rotate(q, b[n..], rotated, transposed: true);
        for (int c = 0; c < m; c++)
        {
            double l = Math.Clamp(lambda[c], 0, 1);
            int column = n + c;
            if (l > ZeroEigenvalue)
            {
                k[column] = transpose ? rotated[c] / l : rotated[c];
                continue;
            }
            k[column] = 0;
            // Transposed, a decoupled component's ẑ_c = −ĝ_c is known: Â_cᵀĝ_c moves to the first block's right side.
            if (transpose)
                for (int e = _starts[column]; e < _starts[column + 1]; e++)
                    if (_aEntry[e] >= 0) k[_aEntry[e]] += values[e] * rotated[c];
        }
        _factors[item]!.Solve(k);
        k[..n].CopyTo(z);
        var u = work.AsSpan(order + m, m);
        for (int c = 0; c < m; c++)
        {
            double l = Math.Clamp(lambda[c], 0, 1);
            int column = n + c;
            if (l > ZeroEigenvalue)
            {
                u[c] = transpose ? k[column] : k[column] / l;
                continue;
            }
            if (transpose)
            {
                u[c] = -rotated[c];
                continue;
            }
            double dot = 0;
            for (int e = _starts[column]; e < _starts[column + 1]; e++)
                if (_aEntry[e] >= 0) dot += values[e] * k[_aEntry[e]];
            u[c] = dot - rotated[c];
        }
        Rotate(q, u, z[n..], transposed: false);
    }

    /// <summary>y = Q·x (or Qᵀ·x) blockwise.</summary>
    private void Rotate(ReadOnlySpan<double> q, ReadOnlySpan<double> x, Span<double> y, bool transposed)
    {
        for (int k = 0; k < _d.Starts.Length; k++)
        {
            int r = _d.Sizes[k], start = _d.Starts[k];
            var block = q.Slice(_d.Storage[k], r * r);
            for (int i = 0; i < r; i++)
            {
                double sum = 0;
                for (int t = 0; t < r; t++) sum += (transposed ? block[t * r + i] : block[i * r + t]) * x[start + t];
                y[start + i] = sum;
            }
        }
    }

    /// <summary>b − J·z (or b − Jᵀ·z) into <paramref name="residual"/>, from A and D's blocks; returns its ∞-norm.</summary>
    private double Residual(int item, ReadOnlySpan<double> b, ReadOnlySpan<double> z, Span<double> residual, bool transpose)
    {
        int n = _n, m = _m, storage = _d.Storage[^1];
        var a = _a[item];
        var d = _d.Values.AsSpan(item * storage, storage);
        var zx = z[..n];
        var zv = z[n..];
        b.CopyTo(residual);
        var top = residual[..n];
        var bottom = residual[n..];
        if (_p is not null)
            for (int j = 0; j < n; j++) top[j] -= SpanKernels.Dot(_p.AsSpan((_sharedP ? 0 : item) * n * n + j * n, n), zx);
        // J = [P, AᵀD; A, D − I], Jᵀ = [P, Aᵀ; DA, D − I] (P and D symmetric).
        var dzv = new double[m];
        var ax = new double[m];
        MultiplyD(d, zv, dzv);
        for (int i = 0; i < m; i++)
        {
            ax[i] = a.Dot(i, zx);
            a.AddScaled(i, -(transpose ? zv[i] : dzv[i]), top);
        }
        var dax = transpose ? new double[m] : ax;
        if (transpose) MultiplyD(d, ax, dax);
        for (int i = 0; i < m; i++) bottom[i] -= dax[i] + dzv[i] - zv[i];
        return SpanKernels.NormInf(residual);
    }

    /// <summary>y = D·x blockwise.</summary>
    private void MultiplyD(ReadOnlySpan<double> d, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int k = 0; k < _d.Starts.Length; k++)
        {
            int r = _d.Sizes[k], start = _d.Starts[k];
            var block = d.Slice(_d.Storage[k], r * r);
            for (int i = 0; i < r; i++)
            {
                double sum = 0;
                for (int t = 0; t < r; t++) sum += block[i * r + t] * x[start + t];
                y[start + i] = sum;
            }
        }
    }
}
