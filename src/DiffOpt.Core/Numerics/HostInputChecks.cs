using System.Numerics;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>
/// The input checks of the solvers (<see cref="Qp.QpProblem.Create"/>, the cone program's data) read on the host for CPU
/// tensors: finiteness, NaN, infinite entries, the largest magnitude of Q and its largest asymmetry max |Q − Qᵀ|, each in one pass over the data where
/// the tensor form takes three to five tensor operations per argument. The values are exact (tests, |·|,
/// differences of two entries, maxima), so they equal the tensor form's.
/// </summary>
internal static class HostInputChecks
{
    /// <summary>Whether the host checks read <paramref name="tensors"/>: CPU float32 or float64 tensors of one dtype.</summary>
    public static bool Serve(IReadOnlyList<Tensor> tensors) =>
        tensors.Count > 0 && NativeLapack.Serves(tensors[0]) && tensors.All(t => t.dtype == tensors[0].dtype && t.device_type == DeviceType.CPU);

    /// <summary>
    /// The verdicts of one argument: whether every entry is finite (<paramref name="nanOnly"/>: no entry is NaN) and
    /// whether some entry is ±∞.
    /// </summary>
    public static (bool Passes, bool AnyInfinite) Entries(Tensor t, bool nanOnly) =>
        Read(t, c => c.dtype == ScalarType.Float64 ? Entries<double>(c, nanOnly) : Entries<float>(c, nanOnly));

    private static unsafe (bool, bool) Entries<T>(Tensor c, bool nanOnly) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* data = NativeLapack.Data<T>(c);
        long i = 0, count = c.numel();
        bool nan = false, infinite = false;
        if (Vector256.IsHardwareAccelerated)
        {
            // NaN is the one value unequal to itself; ±∞ the ones of magnitude +∞.
            var nanLanes = Vector256<T>.Zero;
            var infiniteLanes = Vector256<T>.Zero;
            var positiveInfinity = Vector256.Create(T.PositiveInfinity);
            for (int width = Vector256<T>.Count; i + width <= count; i += width)
            {
                var value = Vector256.Load(data + i);
                nanLanes |= ~Vector256.Equals(value, value);
                infiniteLanes |= Vector256.Equals(Vector256.Abs(value), positiveInfinity);
            }
            nan = Vector256.ExtractMostSignificantBits(nanLanes) != 0;
            infinite = Vector256.ExtractMostSignificantBits(infiniteLanes) != 0;
        }
        for (; i < count; i++)
        {
            nan |= T.IsNaN(data[i]);
            infinite |= T.IsInfinity(data[i]);
        }
        return (nanOnly ? !nan : !nan && !infinite, infinite);
    }

    /// <summary>
    /// Whether every entry of <paramref name="value"/> is finite: read on the host in one pass for CPU data, else by tensor
    /// operations (which allocate two temporaries of the data's size: 16 of the 125 ms of a forward pass on diffcp's
    /// lp_b128_n50; 0.36 of the 0.85 ms that the layer-build benchmark's parameters took to become data).
    /// </summary>
    public static bool AllFinite(Tensor value)
    {
        var data = value.detach();
        return Serve([data]) ? Entries(data, nanOnly: false).Passes : data.isfinite().all().item<bool>();
    }

    /// <summary>max |Q| and max |Q − Qᵀ| over the (B|·, n, n) matrices of <paramref name="q"/> (NaN where an entry is NaN).</summary>
    public static (double MaxAbs, double Asymmetry) Magnitudes(Tensor q) =>
        Read(q, c => c.dtype == ScalarType.Float64 ? Magnitudes<double>(c) : Magnitudes<float>(c));

    private static unsafe (double, double) Magnitudes<T>(Tensor c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* data = NativeLapack.Data<T>(c);
        long n = c.size(-1), matrices = c.numel() / (n * n);
        // Finite entries (the common case) take the fast form: max |q| over all entries in vector lanes, and the asymmetry
        // over the pairs above the diagonal (|q_ij − q_ji| = |q_ji − q_ij| exactly; the diagonal gives 0). Any other
        // entry takes the pass below, whose maxima propagate NaN.
        if (Vector256.IsHardwareAccelerated && matrices > 0 && FiniteMaxAbs(data, c.numel()) is { } finiteMax)
            return (double.CreateTruncating(finiteMax), double.CreateTruncating(UpperAsymmetry(data, n, matrices)));
        T maxAbs = T.NegativeInfinity, asymmetry = T.NegativeInfinity;
        for (long b = 0; b < matrices; b++)
        {
            T* q = data + b * n * n;
            for (long i = 0; i < n; i++)
                for (long j = 0; j < n; j++)
                {
                    maxAbs = T.Max(maxAbs, T.Abs(q[i * n + j]));
                    asymmetry = T.Max(asymmetry, T.Abs(q[i * n + j] - q[j * n + i]));
                }
        }
        return (double.CreateTruncating(maxAbs), double.CreateTruncating(asymmetry));
    }

    /// <summary>
    /// max |entry| over <paramref name="count"/> entries, or null when some entry is not finite: the entries as one row of
    /// <see cref="HostRowNorms.RowMax"/>, whose maximum is NaN or ∞ exactly when one of them is.
    /// </summary>
    private static unsafe T? FiniteMaxAbs<T>(T* data, long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = HostRowNorms.RowMax(data, count, T.Zero);
        return T.IsFinite(max) ? max : null;
    }

    /// <summary>max over i &lt; j of |q_ij − q_ji| over the n × n matrices (finite entries; 0 when n = 1).</summary>
    private static unsafe T UpperAsymmetry<T>(T* data, long n, long matrices) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T asymmetry = T.Zero;
        for (long b = 0; b < matrices; b++)
        {
            T* q = data + b * n * n;
            for (long i = 0; i < n; i++)
            {
                T* row = q + i * n, column = q + i;
                for (long j = i + 1; j < n; j++)
                {
                    T difference = T.Abs(row[j] - column[j * n]);
                    if (difference > asymmetry) asymmetry = difference;
                }
            }
        }
        return asymmetry;
    }

    private static TResult Read<TResult>(Tensor t, Func<Tensor, TResult> body)
    {
        var c = t.is_contiguous() ? t : t.contiguous();
        var result = body(c);
        GC.KeepAlive(c);
        return result;
    }
}
