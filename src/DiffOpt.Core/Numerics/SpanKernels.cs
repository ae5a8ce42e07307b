using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DiffOpt.Numerics;

/// <summary>Level-1 loops on float64 spans (dot product, scaled update, ∞-norm) for the managed per-item kernels, vectorised with <see cref="Vector{T}"/>.</summary>
internal static class SpanKernels
{
    /// <summary>Σ x_k y_k over the common length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = Math.Min(x.Length, y.Length), k = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..n]);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..n]);
            var acc = Vector<double>.Zero;
            for (int i = 0; i < vx.Length; i++) acc += vx[i] * vy[i];
            sum = Vector.Sum(acc);
            k = vx.Length * Vector<double>.Count;
        }
        for (; k < n; k++) sum += x[k] * y[k];
        return sum;
    }

    /// <summary>y_k += a·x_k over y's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = y.Length, k = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..n]);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var va = new Vector<double>(a);
            for (int i = 0; i < vy.Length; i++) vy[i] += va * vx[i];
            k = vy.Length * Vector<double>.Count;
        }
        for (; k < n; k++) y[k] += a * x[k];
    }

    /// <summary>y_k = a·x_k over y's length (each entry rounded once, as the scalar loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = y.Length, k = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..n]);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var va = new Vector<double>(a);
            for (int i = 0; i < vy.Length; i++) vy[i] = va * vx[i];
            k = vy.Length * Vector<double>.Count;
        }
        for (; k < n; k++) y[k] = a * x[k];
    }

    /// <summary>y_k += x_k over y's length (each entry rounded once, as the scalar loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ReadOnlySpan<double> x, Span<double> y)
    {
        int n = y.Length, k = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..n]);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int i = 0; i < vy.Length; i++) vy[i] += vx[i];
            k = vy.Length * Vector<double>.Count;
        }
        for (; k < n; k++) y[k] += x[k];
    }

    /// <summary>y_k = x_k / d_k over y's length (each entry rounded once, as the scalar loop; y may be x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Divide(ReadOnlySpan<double> x, ReadOnlySpan<double> d, Span<double> y)
    {
        int n = y.Length, k = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..n]);
            var vd = MemoryMarshal.Cast<double, Vector<double>>(d[..n]);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int i = 0; i < vy.Length; i++) vy[i] = vx[i] / vd[i];
            k = vy.Length * Vector<double>.Count;
        }
        for (; k < n; k++) y[k] = x[k] / d[k];
    }

    /// <summary>max_k |x_k| (0 for an empty span; NaN if any entry is NaN). The maximum is exact, so the order of the vectorised scan does not matter.</summary>
    public static double NormInf(ReadOnlySpan<double> x)
    {
        int n = x.Length, k = 0;
        double max = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var best = Vector<double>.Zero;
            var nan = Vector<long>.Zero;
            for (int i = 0; i < vx.Length; i++)
            {
                var v = vx[i];
                nan |= ~Vector.Equals(v, v);
                best = Vector.Max(best, Vector.Abs(v));
            }
            if (nan != Vector<long>.Zero) return double.NaN;
            for (int lane = 0; lane < Vector<double>.Count; lane++) max = Math.Max(max, best[lane]);
            k = vx.Length * Vector<double>.Count;
        }
        for (; k < n; k++)
        {
            double v = x[k];
            if (double.IsNaN(v)) return double.NaN;
            max = Math.Max(max, Math.Abs(v));
        }
        return max;
    }

    /// <summary>Whether every entry is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (!double.IsFinite(v)) return false;
        return true;
    }
}
