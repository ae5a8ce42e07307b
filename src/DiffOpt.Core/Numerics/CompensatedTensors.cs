using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Numerics;

/// <summary>A value carried as an unrounded sum hi + lo: hi the rounded result, lo its accumulated rounding error.</summary>
internal readonly record struct Compensated(Tensor Hi, Tensor Lo)
{
    /// <summary>hi + lo, rounded once.</summary>
    public Tensor Value => Hi.Plus(Lo);

    /// <summary>The compensated sum: the high parts are added with their rounding error (TwoSum), the low parts plainly.</summary>
    public static Compensated operator +(Compensated a, Compensated b)
    {
        var (sum, error) = CompensatedTensors.TwoSum(a.Hi, b.Hi);
        return new Compensated(sum, a.Lo.Plus(b.Lo).Plus(error));
    }

    /// <summary>Adds an exact (uncompensated) term.</summary>
    public static Compensated operator +(Compensated a, Tensor b)
    {
        var (sum, error) = CompensatedTensors.TwoSum(a.Hi, b);
        return new Compensated(sum, a.Lo.Plus(error));
    }

    /// <summary>Subtracts an exact term.</summary>
    public static Compensated operator -(Compensated a, Tensor b) => a + b.neg();
}

/// <summary>
/// The tensor form of <see cref="CompensatedKernels"/>, for devices the CPU kernels do not serve: sums and products
/// as accurate as twice the working precision (Ogita, Rump, Oishi, "Accurate sum and dot product", SIAM J. Sci.
/// Comput. 26(6), 2005), so that the check of a returned point certifies the same residuals on every device.
/// Products are split exactly by Veltkamp's splitting (Dekker's TwoProduct: libtorch promises no fused
/// multiply-add), sums are reduced pairwise with Knuth's TwoSum, and the rounding errors of each level are summed
/// plainly into the low part; the error bound is that of Dot2, ε|result| + γ_N²Σ|terms| with γ_N = Nε, as long as no
/// product overflows in the splitting (entries below about 1e290 in float64, 1e30 in float32).
/// </summary>
internal static class CompensatedTensors
{
    /// <summary>s = a + b rounded, and the rounding error a + b − s exactly (Knuth's TwoSum), elementwise.</summary>
    public static (Tensor Sum, Tensor Error) TwoSum(Tensor a, Tensor b)
    {
        var s = a.Plus(b);
        var bVirtual = s - a;
        return (s, (a - (s - bVirtual)).Plus(b - bVirtual));
    }

    /// <summary>p = a·b rounded, and the rounding error a·b − p exactly (Dekker's TwoProduct), elementwise with broadcasting.</summary>
    public static (Tensor Product, Tensor Error) TwoProduct(Tensor a, Tensor b)
    {
        var p = a * b;
        var (aHigh, aLow) = Split(a);
        var (bHigh, bLow) = Split(b);
        var error = (aHigh * bHigh - p).Plus(aHigh * bLow).Plus(aLow * bHigh).Plus(aLow * bLow);
        return (p, error);
    }

    /// <summary>Σ of the last dimension, compensated (pairwise TwoSum).</summary>
    public static Compensated Sum(Tensor terms)
    {
        var high = terms;
        var low = zeros(terms.shape[..^1], terms.dtype, terms.device);
        if (terms.size(-1) == 0) return new Compensated(low.clone(), low);
        while (high.size(-1) > 1)
        {
            long n = high.size(-1);
            if (n % 2 == 1) high = cat(new[] { high, zeros_like(high.narrow(-1, 0, 1)) }, -1);
            var pairs = high.reshape(high.shape[..^1].Append((n + 1) / 2).Append(2).ToArray());
            var (sum, error) = TwoSum(pairs.select(-1, 0), pairs.select(-1, 1));
            low = low.Plus(error.sum(-1));
            high = sum;
        }
        return new Compensated(high.squeeze(-1), low);
    }

    /// <summary>Σ_k x_k y_k over the last dimension (broadcast), compensated (Dot2).</summary>
    public static Compensated Dot(Tensor x, Tensor y)
    {
        var (products, errors) = TwoProduct(x, y);
        var sum = Sum(products);
        return sum with { Lo = sum.Lo.Plus(errors.sum(-1)) };
    }

    /// <summary>vᵀM per item: Σ_i v_i M_ij for v (B,r) and M (B|1,r,c), compensated; (B,c).</summary>
    public static Compensated RowTimes(Tensor vector, Tensor matrix) =>
        Dot(vector.unsqueeze(-2), matrix.transpose(-1, -2));

    /// <summary>Veltkamp's splitting a = high + low, each with half the significand's bits.</summary>
    private static (Tensor High, Tensor Low) Split(Tensor a)
    {
        double factor = a.dtype == ScalarType.Float32 ? 4097 : 134217729; // 2^⌈t/2⌉ + 1 for t = 24, 53 bits
        var c = a.Times(factor);
        var high = c - (c - a);
        return (high, a - high);
    }
}
