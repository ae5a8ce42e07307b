using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// One block of the cone program's data (c, A, b, P or the objective's constant) as a sparse linear map of
/// [θ; 1]: data = M·[θ; 1] with M of shape (entries × (p + 1)) (cvxpylayers §4; MODELING.md "The affine map").
/// A batch Θ1 (B × (p + 1)) gives every item's data in one sparse × dense product; autograd differentiates it
/// through the transpose of M.
/// </summary>
internal sealed class AffineDataMap
{
    private readonly int[] _rows;
    private readonly int[] _slots;
    private readonly double[] _values;
    private readonly int _parameterCount;
    private readonly Dictionary<(ScalarType, DeviceType, int), Tensor> _cache = [];

    /// <summary>A map with entries M[row, slot] += value (slot −1 is the constant column; duplicates add up).</summary>
    public AffineDataMap(long length, int parameterCount, IEnumerable<(long Row, int Slot, double Value)> entries)
    {
        Length = length;
        _parameterCount = parameterCount;
        var merged = new Dictionary<(long, int), double>();
        foreach (var (row, slot, value) in entries)
            merged[(row, slot)] = merged.GetValueOrDefault((row, slot)) + value;
        var kept = merged.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2).ToArray();
        _rows = kept.Select(kv => checked((int)kv.Key.Item1)).ToArray();
        _slots = kept.Select(kv => kv.Key.Item2 < 0 ? parameterCount : kv.Key.Item2).ToArray();
        _values = kept.Select(kv => kv.Value).ToArray();
        IsParametric = _slots.Any(s => s != parameterCount);
    }

    /// <summary>The number of data entries.</summary>
    public long Length { get; }

    /// <summary>The number of stored coefficients.</summary>
    public int NonZeros => _values.Length;

    /// <summary>Some entry depends on θ.</summary>
    public bool IsParametric { get; }

    /// <summary>
    /// The data for a batch: (B, Length) = Θ1·Mᵀ when the block depends on θ, else the constant (Length) (no
    /// batch dimension: the solvers broadcast it).
    /// </summary>
    public Tensor Apply(Tensor theta1)
    {
        var M = Matrix(theta1.dtype, theta1.device);
        if (!IsParametric)
        {
            using var ones = zeros(_parameterCount + 1, dtype: theta1.dtype, device: theta1.device);
            ones[_parameterCount] = 1;
            return mm(M, ones.unsqueeze(1)).squeeze(1);
        }
        return mm(M, theta1.t()).t();
    }

    /// <summary>M as a sparse COO tensor, built once per dtype and device.</summary>
    private Tensor Matrix(ScalarType dtype, Device device)
    {
        var key = (dtype, device.type, device.index);
        if (_cache.TryGetValue(key, out var m)) return m;
        // Kept for the map's lifetime: detached from any dispose scope the caller may have open.
        using (NewDisposeScope())
        {
            var indices = tensor(_rows.Select(r => (long)r).Concat(_slots.Select(s => (long)s)).ToArray(), [2, _rows.Length]);
            var values = tensor(_values, [_values.Length], ScalarType.Float64);
            m = sparse_coo_tensor(indices, values, [Length, _parameterCount + 1]).to(dtype).to(device).DetachFromDisposeScope();
        }
        _cache[key] = m;
        return m;
    }
}
