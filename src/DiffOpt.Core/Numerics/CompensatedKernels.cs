using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DiffOpt.Numerics;

/// <summary>
/// Compensated dot products and scaled updates: the result is as accurate as if computed in twice the working
/// precision and then rounded (Ogita, Rump, Oishi, "Accurate sum and dot product", SIAM J. Sci. Comput. 26(6),
/// 2005: Dot2, error ≤ ε|result| + γ_n²Σ|x_k y_k|). Each product's rounding error comes from a fused multiply-add
/// and each sum's from Knuth's TwoSum; the errors are summed separately and added back at the end. Results are
/// returned unrounded as hi + lo so that callers can combine several of them before rounding once.
/// </summary>
internal static class CompensatedKernels
{
    /// <summary>s = a + b rounded, and the rounding error a + b − s exactly (Knuth's TwoSum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TwoSum<T>(T a, T b, out T error) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = a + b;
        T bVirtual = s - a;
        error = (a - (s - bVirtual)) + (b - bVirtual);
        return s;
    }

    /// <summary>p = a·b rounded, and the rounding error a·b − p exactly (from a fused multiply-add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TwoProduct<T>(T a, T b, out T error) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T p = a * b;
        error = T.FusedMultiplyAdd(a, b, -p);
        return p;
    }

    /// <summary>(hi, lo) += a·b, compensated: hi carries the running sum, lo the accumulated rounding errors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct<T>(ref T hi, ref T lo, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T p = TwoProduct(a, b, out T productError);
        hi = TwoSum(hi, p, out T sumError);
        lo += productError + sumError;
    }

    /// <summary>(hi, lo) += a, compensated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<T>(ref T hi, ref T lo, T a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        hi = TwoSum(hi, a, out T sumError);
        lo += sumError;
    }

    /// <summary>Σ_{k&lt;length} x_k y_k, compensated; returns the sum of the products as hi and its correction as <paramref name="lo"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe T Dot<T>(T* x, T* y, int length, out T lo) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T hi = T.Zero, low = T.Zero;
        int k = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<T>.Count)
        {
            // Two independent chains: the latency of TwoSum's dependent additions, not the loads, bounds one.
            int width = Vector256<T>.Count;
            Vector256<T> sum0 = Vector256<T>.Zero, errors0 = Vector256<T>.Zero, sum1 = Vector256<T>.Zero, errors1 = Vector256<T>.Zero;
            for (; k + 2 * width <= length; k += 2 * width)
            {
                AccumulateProducts(ref sum0, ref errors0, Vector256.Load(x + k), Vector256.Load(y + k));
                AccumulateProducts(ref sum1, ref errors1, Vector256.Load(x + k + width), Vector256.Load(y + k + width));
            }
            if (k + width <= length)
            {
                AccumulateProducts(ref sum0, ref errors0, Vector256.Load(x + k), Vector256.Load(y + k));
                k += width;
            }
            // Fold the chains and then the halves lane-wise with TwoSum, so that only a quarter of the lanes are
            // summed one after the other: every fold's rounding error joins the errors, so hi + lo is still Dot2's.
            var sum = TwoSum(sum0, sum1, out var foldError);
            var errors = errors0 + errors1 + foldError;
            // Both halves of the second fold hold the same sums and errors; the lower one is kept.
            sum = TwoSum(sum, Vector256.Create(sum.GetUpper(), sum.GetLower()), out foldError);
            errors += Vector256.Create(errors.GetUpper(), errors.GetLower()) + foldError;
            for (int lane = 0; lane < width / 2; lane++)
            {
                Add(ref hi, ref low, sum.GetElement(lane));
                low += errors.GetElement(lane);
            }
        }
        for (; k < length; k++) AddProduct(ref hi, ref low, x[k], y[k]);
        lo = low;
        return hi;
    }

    /// <summary>Lane by lane, (sum, errors) += a·b: the rounded sum in <paramref name="sum"/>, product and sum errors in <paramref name="errors"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateProducts<T>(ref Vector256<T> sum, ref Vector256<T> errors, Vector256<T> a, Vector256<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // TwoSum(sum, p) and the error sum, rounded exactly as written plainly, but with three of the eight additions
        // as fused multiply-adds by ±1 (x·(±1) is exact, so each is the same single rounding): on CPUs whose adds and
        // multiplies run on separate pipes (AMD Zen), the additions would otherwise all queue on the add pipes.
        var one = Vector256<T>.One;
        var minusOne = -one;
        var p = a * b;
        var productError = FusedMultiplyAdd(a, b, -p);
        var s = sum + p;
        var bVirtual = FusedMultiplyAdd(sum, minusOne, s);
        var sumError = (sum - (s - bVirtual)) + FusedMultiplyAdd(bVirtual, minusOne, p);
        errors += FusedMultiplyAdd(productError, one, sumError);
        sum = s;
    }

    /// <summary>Lane by lane, a + b rounded, and the rounding errors in <paramref name="error"/> (Knuth's TwoSum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> TwoSum<T>(Vector256<T> a, Vector256<T> b, out Vector256<T> error) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = a + b;
        var bVirtual = s - a;
        error = (a - (s - bVirtual)) + (b - bVirtual);
        return s;
    }

    /// <summary>(yHi + yLo)_k += a·x_k for k &lt; length, compensated per entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void AddScaled<T>(T* x, T a, T* yHi, T* yLo, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int width = Vector256<T>.Count;
            var factor = Vector256.Create(a);
            for (; k + width <= length; k += width)
            {
                var sum = Vector256.Load(yHi + k);
                var errors = Vector256.Load(yLo + k);
                AccumulateProducts(ref sum, ref errors, factor, Vector256.Load(x + k));
                Vector256.Store(sum, yHi + k);
                Vector256.Store(errors, yLo + k);
            }
        }
        for (; k < length; k++) AddProduct(ref yHi[k], ref yLo[k], a, x[k]);
    }

    /// <summary>a·b + c with one rounding, lane by lane (the JIT keeps only the branch of T).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> FusedMultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        throw new NotSupportedException($"Compensated kernels take float32 or float64, not {typeof(T).Name}.");
    }
}
