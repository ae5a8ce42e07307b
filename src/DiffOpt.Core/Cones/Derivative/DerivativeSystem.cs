using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The derivative's Jacobian J = [P, AᵀD; A, D − I] (order N = n + m) of a batch on the CPU in float64, kept in its
/// parts (A, P and the diagonal blocks of D = DΠ_K*(v)) instead of as dense (B, N, N) tensors: <see cref="Fill"/>
/// writes one item's dense J (for its LU) and <see cref="Multiply"/> applies J or Jᵀ matrix-free (for refinement and
/// residuals), so no batch of dense J or D is ever formed.
/// </summary>
internal sealed class DerivativeSystem
{
    private readonly DoubleView _a;     // (B, m, n) or (m, n) row-major, read in place
    private readonly double[]? _p;      // (B, n, n) or (n, n), or null
    private readonly bool _sharedA, _sharedP;
    private readonly Block[] _blocks;
    private readonly int _n, _m;

    /// <summary>
    /// One diagonal block of D: rows [Offset, Offset + Rows), either diagonal ((B, r)) or dense ((B, r, r)); whether it
    /// is a second-order cone's or an exponential triple's; for a PSD cone's, its matrix order k and the eigenvectors V
    /// and weights W ((B, k, k) each) of <see cref="PsdOperator"/>, whose eigenbasis is D's (<see cref="PsdEigenbasis"/>).
    /// </summary>
    private sealed record Block(int Offset, int Rows, bool Diagonal, double[] Values, bool SecondOrder, bool Exponential = false,
        int PsdOrder = 0, double[]? PsdVectors = null, double[]? PsdWeights = null);

    /// <summary>The system for data A ((B, m, n) or (m, n)), P (likewise, or null) and the operator D.</summary>
    public DerivativeSystem(Tensor a, Tensor? p, IConeOperator d, int batch, int n, int m)
    {
        Batch = batch;
        _n = n;
        _m = m;
        _sharedA = a.dim() == 2;
        _a = TensorCopy.View(a);
        _sharedP = p is not null && p.dim() == 2;
        _p = p is null ? null : TensorCopy.ToDoubles(p);
        var blocks = d is BlockDiagonalOperator diagonal ? diagonal.Blocks : [d];
        var held = new List<Block>(blocks.Count);
        int offset = 0;
        foreach (var block in blocks)
        {
            if (DerivativeBlocks.Triples(block) is { } triples) AddTriples(held, offset, TensorCopy.ToDoubles(triples.Values), batch, block.Rows / 3);
            else
            {
                var (isDiagonal, values) = DerivativeBlocks.Of(block);
                var psd = block as PsdOperator;
                held.Add(new Block(offset, block.Rows, isDiagonal, TensorCopy.ToDoubles(values), block is SecondOrderOperator,
                    PsdOrder: psd is null ? 0 : (int)psd.Eigenvectors.shape[^1],
                    PsdVectors: psd is null ? null : TensorCopy.ToDoubles(psd.Eigenvectors),
                    PsdWeights: psd is null ? null : TensorCopy.ToDoubles(psd.Weights)));
            }
            offset += block.Rows;
        }
        _blocks = [.. held];
    }

    /// <summary>
    /// An exponential cone's <paramref name="count"/> 3 × 3 blocks ((B, count, 3, 3) <paramref name="values"/>) as blocks of
    /// their own from row <paramref name="offset"/>: never its dense (3count)² matrix, and each can be rotated alone.
    /// </summary>
    private static void AddTriples(List<Block> held, int offset, double[] values, int batch, int count)
    {
        for (int t = 0; t < count; t++)
        {
            var own = new double[batch * 9];
            for (int item = 0; item < batch; item++) values.AsSpan((item * count + t) * 9, 9).CopyTo(own.AsSpan(item * 9, 9));
            held.Add(new Block(offset + 3 * t, 3, false, own, SecondOrder: false, Exponential: true));
        }
    }

    /// <summary>A copy of <paramref name="source"/>'s parts for the given items only (shared A and P stay shared).</summary>
    private DerivativeSystem(DerivativeSystem source, int[] items)
    {
        Batch = items.Length;
        _n = source._n;
        _m = source._m;
        _sharedA = source._sharedA;
        _sharedP = source._sharedP;
        _a = _sharedA ? source._a : DoubleView.Of(Gather(source._a, items, _m * _n));
        _p = source._p is null || _sharedP ? source._p : Gather(DoubleView.Of(source._p), items, _n * _n);
        _blocks = source._blocks
            .Select(block => block with
            {
                Values = Gather(DoubleView.Of(block.Values), items, block.Diagonal ? block.Rows : block.Rows * block.Rows),
                PsdVectors = block.PsdVectors is null ? null : Gather(DoubleView.Of(block.PsdVectors), items, block.PsdOrder * block.PsdOrder),
                PsdWeights = block.PsdWeights is null ? null : Gather(DoubleView.Of(block.PsdWeights), items, block.PsdOrder * block.PsdOrder),
            })
            .ToArray();
    }

    /// <summary>The system of the given items of this one, in their order (for a solver that takes over some items).</summary>
    public DerivativeSystem Select(int[] items) => new(this, items);

    /// <summary>The per-item slices of length <paramref name="size"/> of <paramref name="values"/> for the given items.</summary>
    private static double[] Gather(DoubleView values, int[] items, int size)
    {
        var result = new double[items.Length * size];
        for (int t = 0; t < items.Length; t++) values.Slice((long)items[t] * size, size).CopyTo(result.AsSpan(t * size, size));
        return result;
    }

    /// <summary>Whether the CPU system serves data of this dtype and device with an operator D (float64 on the CPU, LAPACK found).</summary>
    public static bool Serves(Tensor data) =>
        NativeBlas.IsAvailable && NativeLu.IsAvailable && !KernelSwitch.TensorPathOnly
        && data.device_type == TorchSharp.DeviceType.CPU && data.dtype == ScalarType.Float64;

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>Whether one A serves every item (<see cref="A"/> returns the same matrix for each).</summary>
    public bool SharesA => _sharedA;

    /// <summary>Whether one P (or none) serves every item.</summary>
    public bool SharesP => _sharedP || _p is null;

    /// <summary>N = n + m.</summary>
    public int Order => _n + _m;

    /// <summary>n.</summary>
    public int Variables => _n;

    /// <summary>m.</summary>
    public int Rows => _m;

    /// <summary>
    /// Item <paramref name="item"/>'s D as a diagonal (length m) into <paramref name="d"/> when it is one: every block is
    /// diagonal (zero and nonnegative cones) or exactly 0 or exactly I (a second-order cone whose v lies in its polar
    /// cone or in the cone itself, where DΠ's closed form is 0 or I); false when some block is neither.
    /// </summary>
    public bool TryDiagonal(int item, Span<double> d)
    {
        foreach (var block in _blocks)
        {
            int r = block.Rows, o = block.Offset;
            if (block.Diagonal)
            {
                block.Values.AsSpan(item * r, r).CopyTo(d.Slice(o, r));
                continue;
            }
            if (ZeroOrIdentity(block.Values.AsSpan(item * r * r, r * r), r) is not { } identity) return false;
            d.Slice(o, r).Fill(identity ? 1 : 0);
        }
        return true;
    }

    /// <summary>Whether the dense r × r <paramref name="block"/> is exactly I (true) or exactly 0 (false); null when neither.</summary>
    public static bool? ZeroOrIdentity(ReadOnlySpan<double> block, int r)
    {
        bool zero = true, identity = true;
        for (int i = 0; i < r; i++)
            for (int c = 0; c < r; c++)
            {
                zero &= block[i * r + c] == 0;
                identity &= block[i * r + c] == (i == c ? 1 : 0);
            }
        return identity ? true : zero ? false : null;
    }

    /// <summary>The number of diagonal blocks of D.</summary>
    public int BlockCount => _blocks.Length;

    /// <summary>
    /// Block <paramref name="k"/>'s first row, its order r, whether it is held as a diagonal, whether it is a second-order
    /// cone's and whether it is an exponential triple's.
    /// </summary>
    public (int Offset, int Rows, bool Diagonal, bool SecondOrder, bool Exponential) BlockLayout(int k) =>
        (_blocks[k].Offset, _blocks[k].Rows, _blocks[k].Diagonal, _blocks[k].SecondOrder, _blocks[k].Exponential);

    /// <summary>Whether block <paramref name="k"/> is a PSD cone's (<see cref="PsdBasis"/> reads its eigenbasis).</summary>
    public bool IsPsd(int k) => _blocks[k].PsdVectors is not null;

    /// <summary>
    /// Block <paramref name="k"/>'s matrix order k (a PSD cone's, <see cref="IsPsd"/>), with item <paramref name="item"/>'s
    /// eigenvectors V and weights W of <see cref="PsdOperator"/> (row-major k × k each).
    /// </summary>
    public int PsdBasis(int k, int item, out ReadOnlySpan<double> vectors, out ReadOnlySpan<double> weights)
    {
        var block = _blocks[k];
        int size = block.PsdOrder * block.PsdOrder;
        vectors = block.PsdVectors.AsSpan(item * size, size);
        weights = block.PsdWeights.AsSpan(item * size, size);
        return block.PsdOrder;
    }

    /// <summary>Item <paramref name="item"/>'s values of block <paramref name="k"/>: its diagonal (length r) or its dense r × r matrix, row-major.</summary>
    public ReadOnlySpan<double> BlockValues(int k, int item)
    {
        var block = _blocks[k];
        int size = block.Diagonal ? block.Rows : block.Rows * block.Rows;
        return block.Values.AsSpan(item * size, size);
    }

    /// <summary>Item <paramref name="item"/>'s A, row-major m × n.</summary>
    public ReadOnlySpan<double> A(int item) => _a.Slice(_sharedA ? 0 : (long)item * _m * _n, _m * _n);

    /// <summary>Item <paramref name="item"/>'s P, row-major n × n; empty when the programs have none.</summary>
    public ReadOnlySpan<double> P(int item) => _p is null ? default : _p.AsSpan(_sharedP ? 0 : item * _n * _n, _n * _n);

    /// <summary>Item <paramref name="item"/>'s dense J, row-major N × N, into <paramref name="j"/>.</summary>
    public void Fill(int item, Span<double> j)
    {
        int n = _n, m = _m, order = n + m;
        j[..(order * order)].Clear();
        var a = A(item);
        var p = P(item);
        if (_p is not null)
            for (int r = 0; r < n; r++) p.Slice(r * n, n).CopyTo(j.Slice(r * order, n));
        for (int i = 0; i < m; i++) a.Slice(i * n, n).CopyTo(j.Slice((n + i) * order, n));
        foreach (var block in _blocks)
        {
            int r = block.Rows, o = block.Offset;
            if (block.Diagonal)
            {
                var diagonal = block.Values.AsSpan(item * r, r);
                for (int i = 0; i < r; i++)
                {
                    int row = o + i;
                    j[(n + row) * order + n + row] = diagonal[i] - 1;
                    if (diagonal[i] == 0) continue;
                    for (int k = 0; k < n; k++) j[k * order + n + row] = a[row * n + k] * diagonal[i];
                }
                continue;
            }
            var dense = block.Values.AsSpan(item * r * r, r * r);
            for (int i = 0; i < r; i++)
            {
                dense.Slice(i * r, r).CopyTo(j.Slice((n + o + i) * order + n + o, r));
                j[(n + o + i) * order + n + o + i] -= 1;
            }
            // (AᵀD)_{k, o+c} = Σ_l A_{o+l, k} D_{l c}.
            for (int l = 0; l < r; l++)
            {
                var aRow = a.Slice((o + l) * n, n);
                var dRow = dense.Slice(l * r, r);
                for (int k = 0; k < n; k++)
                {
                    double alk = aRow[k];
                    if (alk == 0) continue;
                    var target = j.Slice(k * order + n + o, r);
                    for (int c = 0; c < r; c++) target[c] += alk * dRow[c];
                }
            }
        }
    }

    /// <summary>
    /// result = J·z, or Jᵀ·z when <paramref name="transpose"/>, for item <paramref name="item"/> (z and result of length N;
    /// <paramref name="work"/> of length at least m).
    /// </summary>
    public void Multiply(int item, ReadOnlySpan<double> z, Span<double> result, bool transpose, Span<double> work)
    {
        int n = _n, m = _m;
        var a = A(item);
        var zx = z[..n];
        var zv = z.Slice(n, m);
        var top = result[..n];
        var bottom = result.Slice(n, m);
        var dz = work[..m];
        if (_p is null) top.Clear();
        else NativeBlas.Gemv(P(item), n, n, n, transpose, 1, zx, 0, top);
        if (!transpose)
        {
            // [P·zx + Aᵀ·D·zv; A·zx + D·zv − zv].
            ApplyD(item, zv, dz);
            NativeBlas.Gemv(a, m, n, n, transpose: true, 1, dz, 1, top);
            NativeBlas.Gemv(a, m, n, n, transpose: false, 1, zx, 0, bottom);
            for (int i = 0; i < m; i++) bottom[i] += dz[i] - zv[i];
            return;
        }
        // [Pᵀ·zx + Aᵀ·zv; D·(A·zx + zv) − zv] (D symmetric).
        NativeBlas.Gemv(a, m, n, n, transpose: true, 1, zv, 1, top);
        NativeBlas.Gemv(a, m, n, n, transpose: false, 1, zx, 0, dz);
        for (int i = 0; i < m; i++) dz[i] += zv[i];
        ApplyD(item, dz, bottom);
        for (int i = 0; i < m; i++) bottom[i] -= zv[i];
    }

    /// <summary>result = D·u for item <paramref name="item"/> (length m; result must not alias u).</summary>
    private void ApplyD(int item, ReadOnlySpan<double> u, Span<double> result)
    {
        foreach (var block in _blocks)
        {
            int r = block.Rows, o = block.Offset;
            if (block.Diagonal)
            {
                var diagonal = block.Values.AsSpan(item * r, r);
                for (int i = 0; i < r; i++) result[o + i] = diagonal[i] * u[o + i];
            }
            else Numerics.SmallGemv.MultiplyOrBlas(block.Values.AsSpan(item * r * r, r * r), r, r, transpose: false, 1, u.Slice(o, r), 0, result.Slice(o, r));
        }
    }
}
