using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Bulk copies between float64 tensors and managed arrays for the CPU kernels: one memory copy through the tensor's
/// data pointer (TorchSharp's element accessor is much slower on large tensors).
/// </summary>
internal static unsafe class TensorCopy
{
    /// <summary>The entries of <paramref name="value"/> in row-major order, as float64 (copied once to CPU, contiguous float64 if needed).</summary>
    public static double[] ToDoubles(Tensor value)
    {
        if (value.numel() == 0) return [];
        // Not disposed: when value already is contiguous CPU float64, these calls return value itself.
        var dense = value.to(ScalarType.Float64).cpu().contiguous();
        if (!NativeLapack.IsAvailable) return dense.data<double>().ToArray();
        // Uninitialised: the copy overwrites every entry, and zeroing megabytes first is a second pass over fresh pages.
        var result = GC.AllocateUninitializedArray<double>(checked((int)dense.numel()));
        new ReadOnlySpan<double>(NativeLapack.Data<double>(dense), result.Length).CopyTo(result);
        return result;
    }

    /// <summary>
    /// The entries of <paramref name="value"/> in row-major order without a copy when it already is contiguous CPU
    /// float64 (else one contiguous float64 copy): <see cref="DoubleView"/> keeps the memory's owner alive. Requires
    /// <see cref="NativeLapack.IsAvailable"/> (its data-pointer accessor); otherwise the view holds a managed copy.
    /// </summary>
    public static DoubleView View(Tensor value)
    {
        if (value.numel() == 0 || !NativeLapack.IsAvailable) return new DoubleView(null, ToDoubles(value), null, 0);
        // A handle of its own (alias), outside every dispose scope: `to` and `contiguous` return the caller's own tensor
        // when nothing changes, which a scope or the caller may dispose while the view (a derivative's A) is still read.
        var dense = value.to(ScalarType.Float64).cpu().contiguous().alias().DetachFromDisposeScope();
        return new DoubleView(dense, null, NativeLapack.Data<double>(dense), dense.numel());
    }
}

/// <summary>
/// Float64 entries read in place from a tensor's memory (or from a managed copy), valid while the view is reachable: it
/// holds the owning tensor.
/// </summary>
internal sealed unsafe class DoubleView
{
    private readonly Tensor? _owner;
    private readonly double[]? _copy;
    private readonly double* _data;

    /// <summary>A view of <paramref name="data"/> (owned by <paramref name="owner"/>) or of <paramref name="copy"/>.</summary>
    internal DoubleView(Tensor? owner, double[]? copy, double* data, long length)
    {
        _owner = owner;
        _copy = copy;
        _data = data;
        Length = copy?.Length ?? length;
    }

    /// <summary>The number of entries.</summary>
    public long Length { get; }

    /// <summary>A view of a managed array.</summary>
    public static DoubleView Of(double[] values) => new(null, values, null, values.Length);

    /// <summary>Entries [start, start + length).</summary>
    public ReadOnlySpan<double> Slice(long start, int length)
    {
        if (start < 0 || length < 0 || start + length > Length) throw new ArgumentOutOfRangeException(nameof(start));
        return _copy is not null ? _copy.AsSpan(checked((int)start), length) : new ReadOnlySpan<double>(_data + start, length);
    }
}
