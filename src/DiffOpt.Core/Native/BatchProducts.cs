using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Batched matrix products written into a given tensor (TorchSharp's matmul has no output argument, so its result is
/// always fresh memory) with the BLAS calls libtorch's batched matmul makes for the same operands, so the results are
/// the same bits (for the same MKL threading: MKL may split a batch differently over its threads when other threads of
/// the process call it at the same time): MKL's <c>cblas_dgemm_batch</c> over the batch with the same arguments (a
/// dgemm per item differed from it in the last bits at order 30). For contiguous CPU float64 data; each method returns
/// false, and writes nothing, where it does not apply, and the caller then uses matmul.
/// </summary>
internal static unsafe class BatchProducts
{
    /// <summary>Whether the products serve <paramref name="tensor"/>: contiguous CPU float64 and BLAS found.</summary>
    private static bool Serves(Tensor tensor) =>
        NativeBlas.HasBatchProduct && NativeLapack.Serves(tensor) && tensor.dtype == ScalarType.Float64 && tensor.is_contiguous();

    /// <summary>
    /// destination_i = R_i R_iᵀ for the rows R (B,r,k) into <paramref name="destination"/> (B,r,r), as
    /// <c>R.matmul(R.transpose(-1, -2))</c> computes it.
    /// </summary>
    public static bool Gram(Tensor rows, Tensor destination)
    {
        if (!Serves(rows) || !Serves(destination) || rows.size(0) != destination.size(0)) return false;
        int r = (int)rows.size(1), k = (int)rows.size(2);
        // Column-major, R_i is the k × r matrix R_iᵀ and C_i is C_iᵀ = R_i·R_iᵀ = (R_iᵀ)ᵀ·R_iᵀ: 'T', 'N'.
        Multiply(destination, rows, (long)r * k, rows, (long)r * k, transposeA: true, transposeB: false, m: r, n: r, k: k, lda: k, ldb: k);
        return true;
    }

    /// <summary>
    /// destination_i = L_iᵀ R_i for L and R (B,r,k) into <paramref name="destination"/> (B,k,k), as
    /// <c>L.transpose(-1, -2).matmul(R)</c> computes it.
    /// </summary>
    public static bool TransposedProduct(Tensor left, Tensor right, Tensor destination)
    {
        if (!Serves(left) || !Serves(right) || !Serves(destination) || left.size(0) != destination.size(0) || right.size(0) != destination.size(0))
            return false;
        int r = (int)left.size(1), k = (int)left.size(2);
        // Column-major, C_i is C_iᵀ = R_iᵀ·L_i: R_i as stored is R_iᵀ ('N'), L_i as stored is L_iᵀ, transposed ('T').
        Multiply(destination, right, (long)r * k, left, (long)r * k, transposeA: false, transposeB: true, m: k, n: k, k: r, lda: k, ldb: k);
        return true;
    }

    /// <summary>destination_i = op(a_i)·op(b_i) column-major, per item (m × n results, inner dimension k).</summary>
    private static void Multiply(Tensor destination, Tensor a, long aStride, Tensor b, long bStride, bool transposeA, bool transposeB,
        int m, int n, int k, int lda, int ldb)
    {
        long batch = destination.size(0), cStride = (long)m * n;
        if (batch == 0 || m == 0 || n == 0) return;
        double* pa = NativeLapack.Data<double>(a), pb = NativeLapack.Data<double>(b), pc = NativeLapack.Data<double>(destination);
        if (k == 0) new Span<double>(pc, checked((int)(batch * cStride))).Clear();
        else
        {
            var pointers = new double*[3 * batch];
            for (long i = 0; i < batch; i++)
            {
                pointers[i] = pa + i * aStride;
                pointers[batch + i] = pb + i * bStride;
                pointers[2 * batch + i] = pc + i * cStride;
            }
            fixed (double** p = pointers)
                NativeBlas.GemmBatch(transposeA, transposeB, m, n, k, p, lda, p + batch, ldb, p + 2 * batch, m, checked((int)batch));
        }
        GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(destination);
    }
}
