using DiffOpt.Cones;
using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// One block of the cone program's data (c, A, b, P or the objective's constant) as a sparse linear map of
/// [θ; 1]: data = M·[θ; 1] with M of shape (entries × (p + 1)) (cvxpylayers §4; MODELING.md "The affine map").
/// A batch Θ1 (B × (p + 1)) gives every item's data in one sparse × dense product; autograd differentiates it
/// through the transpose of M. The entries that some coefficient reaches (<see cref="Support"/>) are the only ones
/// that can be nonzero: <see cref="ApplyOnSupport"/> computes just those, so that a large sparse A or P never has to
/// be formed, or differentiated, densely.
/// </summary>
internal sealed class AffineDataMap
{
    private readonly int[] _rows;
    private readonly int[] _positions;   // each coefficient's index in Support
    private readonly int[] _slots;
    private readonly double[] _values;
    private readonly int _parameterCount;
    // Created on first use, not when the problem is compiled (whose first run would JIT their value-tuple instantiations).
    private Dictionary<(bool, ScalarType, DeviceType, int), Tensor>? _cache;
    private Dictionary<(long, DeviceType, int), MatrixEntries>? _entries;
    private Dictionary<(DeviceType, int), Tensor>? _supportIndex;

    /// <summary>A map with entries M[row, slot] += value (slot −1 is the constant column; duplicates add up).</summary>
    public AffineDataMap(long length, int parameterCount, IEnumerable<(long Row, int Slot, double Value)> entries)
        : this(length, parameterCount, Collect(entries))
    {
    }

    /// <summary>A map with the buffer's entries M[row, slot] += value (duplicates add up in the order added).</summary>
    public AffineDataMap(long length, int parameterCount, CoefficientBuffer coefficients)
    {
        Length = length;
        _parameterCount = parameterCount;
        // Sort by key row·(p + 1) + slot + 1 (the constant column first within a row), stably so that duplicates add up
        // in the order they were added; drop the coefficients that cancel.
        int count = coefficients.Count;
        long width = parameterCount + 1L;
        var keys = new long[count];
        var order = new int[count];
        for (int k = 0; k < count; k++)
        {
            keys[k] = checked((int)coefficients.Entries[k]) * width + coefficients.Slots[k] + 1;
            order[k] = k;
        }
        StableKeySort.Sort(keys, order);
        var sums = new double[count];
        int kept = 0, supportCount = 0;
        for (int start = 0, end; start < count; start = end)
        {
            double sum = 0;
            for (end = start; end < count && keys[end] == keys[start]; end++) sum += coefficients.Values[order[end]];
            if (sum == 0) continue;
            if (kept == 0 || keys[start] / width != keys[kept - 1] / width) supportCount++;
            keys[kept] = keys[start];
            sums[kept++] = sum;
        }
        _rows = new int[kept];
        _slots = new int[kept];
        _values = new double[kept];
        _positions = new int[kept];
        var support = new long[supportCount];
        for (int k = 0, position = -1; k < kept; k++)
        {
            int row = (int)(keys[k] / width), slot = (int)(keys[k] % width) - 1;
            if (k == 0 || row != _rows[k - 1]) support[++position] = row;
            _rows[k] = row;
            _slots[k] = slot < 0 ? parameterCount : slot;
            _values[k] = sums[k];
            _positions[k] = position;
            IsParametric |= slot >= 0;
        }
        Support = support;
    }

    private static CoefficientBuffer Collect(IEnumerable<(long Row, int Slot, double Value)> entries)
    {
        var buffer = new CoefficientBuffer();
        foreach (var (row, slot, value) in entries) buffer.Add(row, slot, value);
        return buffer;
    }

    /// <summary>The number of data entries.</summary>
    public long Length { get; }

    /// <summary>The number of stored coefficients.</summary>
    public int NonZeros => _values.Length;

    /// <summary>Some entry depends on θ.</summary>
    public bool IsParametric { get; }

    /// <summary>Each stored coefficient M[entry, slot] (slot −1 for the constant column), by entry then slot.</summary>
    public IEnumerable<(long Entry, int Slot, double Value)> Coefficients =>
        _rows.Select((row, k) => ((long)row, _slots[k] == _parameterCount ? -1 : _slots[k], _values[k]));

    /// <summary>The entries that some coefficient reaches, ascending: every other entry of the data is 0 for every θ.</summary>
    public IReadOnlyList<long> Support { get; }

    /// <summary>
    /// The data for a batch: (B, Length) = Θ1·Mᵀ when the block depends on θ, else the constant (Length) (no
    /// batch dimension: the solvers broadcast it).
    /// </summary>
    public Tensor Apply(Tensor theta1) => Product(Matrix(compact: false, theta1.dtype, theta1.device), theta1);

    /// <summary>
    /// The data at <see cref="Support"/> only: (B, |Support|) when the block depends on θ, else (|Support|);
    /// differentiable in Θ1 as <see cref="Apply"/>. <see cref="Scatter"/> turns it into <see cref="Apply"/>'s result.
    /// </summary>
    public Tensor ApplyOnSupport(Tensor theta1) => Product(Matrix(compact: true, theta1.dtype, theta1.device), theta1);

    /// <summary>
    /// Values at <see cref="Support"/> ((B, k) or (k)) as the full data, (B, Length) or (Length), contiguous, zero
    /// elsewhere; detached (the gradient is meant to flow through the values, at the support).
    /// </summary>
    public Tensor Scatter(Tensor values)
    {
        using var noGrad = no_grad();
        var detached = values.detach();
        var index = SupportIndex(values.device);
        if (detached.dim() == 1) return zeros(Length, dtype: values.dtype, device: values.device).index_copy_(0, index, detached);
        return zeros(detached.shape[0], Length, dtype: values.dtype, device: values.device).index_copy_(1, index, detached);
    }

    /// <summary>The support of a block holding a matrix with <paramref name="columns"/> columns row-major, as (row, column) pairs.</summary>
    public MatrixEntries Entries(long columns, Device device)
    {
        var key = (columns, device.type, device.index);
        _entries ??= [];
        if (_entries.TryGetValue(key, out var entries)) return entries;
        using (NewDisposeScope())
        {
            var index = SupportIndex(device);
            entries = new MatrixEntries(ScalarSafeOperations.With(columns, s => index.div(s, rounding_mode: RoundingMode.floor)).DetachFromDisposeScope(),
                ScalarSafeOperations.With(columns, index.remainder).DetachFromDisposeScope());
        }
        _entries[key] = entries;
        return entries;
    }

    /// <summary>Θ1·Mᵀ, or M·[0; 1] without a batch dimension when the block does not depend on θ.</summary>
    private Tensor Product(Tensor M, Tensor theta1)
    {
        if (!IsParametric)
        {
            using var ones = zeros(_parameterCount + 1, dtype: theta1.dtype, device: theta1.device);
            ones[_parameterCount] = 1;
            return mm(M, ones.unsqueeze(1)).squeeze(1);
        }
        return mm(M, theta1.t()).t();
    }

    /// <summary><see cref="Support"/> as an int64 tensor on <paramref name="device"/>, built once per device.</summary>
    private Tensor SupportIndex(Device device)
    {
        var key = (device.type, device.index);
        _supportIndex ??= [];
        if (_supportIndex.TryGetValue(key, out var index)) return index;
        using (NewDisposeScope())
            index = tensor(Support.ToArray(), [Support.Count]).to(device).DetachFromDisposeScope();
        _supportIndex[key] = index;
        return index;
    }

    /// <summary>
    /// M as a sparse COO tensor, (Length × (p + 1)), or with <paramref name="compact"/> its nonzero rows only
    /// (|Support| × (p + 1)); built once per dtype and device.
    /// </summary>
    private Tensor Matrix(bool compact, ScalarType dtype, Device device)
    {
        var key = (compact, dtype, device.type, device.index);
        _cache ??= [];
        if (_cache.TryGetValue(key, out var m)) return m;
        // Kept for the map's lifetime: detached from any dispose scope the caller may have open.
        using (NewDisposeScope())
        {
            var rows = compact ? _positions : _rows;
            var flat = new long[2 * rows.Length];
            for (int k = 0; k < rows.Length; k++)
            {
                flat[k] = rows[k];
                flat[rows.Length + k] = _slots[k];
            }
            var indices = tensor(flat, [2, rows.Length]);
            var values = tensor(_values, [_values.Length], ScalarType.Float64);
            long length = compact ? Support.Count : Length;
            m = sparse_coo_tensor(indices, values, [length, _parameterCount + 1]).to(dtype).to(device).DetachFromDisposeScope();
        }
        _cache[key] = m;
        return m;
    }
}
