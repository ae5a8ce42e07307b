using System.Runtime.InteropServices;

namespace DiffOpt.Native;

/// <summary>
/// BLAS (dgemv, dgemm, dtrsm) and LAPACK's Cholesky (dpotrf) in float64 on spans of row-major matrices, Fortran ABI,
/// from libtorch's bundled MKL, resolved once at run time like <see cref="NativeLapack"/> (libtorch exports these but
/// not dsyrk or dtrsv, so a Gram matrix is a full dgemm and a triangular solve a one-column dtrsm).
/// A row-major r × c matrix is the column-major c × r matrix of its transpose; the wrappers do that bookkeeping so
/// callers think row-major. <see cref="IsAvailable"/> is false where the symbols are not exported (callers then use
/// their managed loops).
/// </summary>
internal static unsafe class NativeBlas
{
    private static readonly delegate* unmanaged<byte*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, void> Dgemv;
    private static readonly delegate* unmanaged<byte*, byte*, int*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, void> Dgemm;
    private static readonly delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, double*, double*, int*, double*, int*, void> Dtrsm;
    private static readonly delegate* unmanaged<byte*, int*, double*, int*, int*, void> Dpotrf;
    private static readonly delegate* unmanaged<int*, int> SetThreadsLocal;
    private static readonly delegate* unmanaged<int, int*, int*, int*, int*, int*, double*, double**, int*, double**, int*, double*, double**, int*, int, int*, void> DgemmBatch;

    static NativeBlas()
    {
        if (!NativeLapack.TryLoadAny(out var torch, "libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib")) return;
        if (NativeLibrary.TryGetExport(torch, "dgemv_", out var gemv) && NativeLibrary.TryGetExport(torch, "dgemm_", out var gemm)
            && NativeLibrary.TryGetExport(torch, "dtrsm_", out var trsm)
            && NativeLibrary.TryGetExport(torch, "dpotrf_", out var potrf))
        {
            Dgemv = (delegate* unmanaged<byte*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, void>)gemv;
            Dgemm = (delegate* unmanaged<byte*, byte*, int*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, void>)gemm;
            Dtrsm = (delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, double*, double*, int*, double*, int*, void>)trsm;
            Dpotrf = (delegate* unmanaged<byte*, int*, double*, int*, int*, void>)potrf;
            IsAvailable = true;
        }
        if (NativeLibrary.TryGetExport(torch, "cblas_dgemm_batch", out var gemmBatch))
            DgemmBatch = (delegate* unmanaged<int, int*, int*, int*, int*, int*, double*, double**, int*, double**, int*, double*, double**, int*, int, int*, void>)gemmBatch;
        // libtorch exports MKL's Fortran entry (every spelling resolves to it): the count is passed by reference.
        if (NativeLibrary.TryGetExport(torch, "mkl_set_num_threads_local_", out var local))
            SetThreadsLocal = (delegate* unmanaged<int*, int>)local;
    }

    /// <summary>
    /// Sets how many threads MKL may use for calls from the current thread (0: back to the global setting) and returns
    /// the previous per-thread value; a no-op returning 0 where MKL's <c>mkl_set_num_threads_local</c> is not exported.
    /// </summary>
    public static int SetThreadsOfThisThread(int threads) => SetThreadsLocal is null ? 0 : SetThreadsLocal(&threads);

    /// <summary>True when the routines were found.</summary>
    public static bool IsAvailable { get; }

    /// <summary>
    /// y = α·M·x + β·y with M the row-major rows × columns matrix <paramref name="a"/> (row length <paramref name="lda"/>),
    /// or M = Aᵀ when <paramref name="transpose"/>.
    /// </summary>
    public static void Gemv(ReadOnlySpan<double> a, int rows, int columns, int lda, bool transpose, double alpha, ReadOnlySpan<double> x,
        double beta, Span<double> y)
    {
        if (rows == 0 || columns == 0)
        {
            int length = transpose ? columns : rows;
            if (beta == 0) y[..length].Clear();
            else for (int i = 0; i < length; i++) y[i] *= beta;
            return;
        }
        // Column-major, A is the columns × rows matrix Aᵀ: A·x is Aᵀᵀ·x ('T'), Aᵀ·x is 'N'.
        byte op = transpose ? (byte)'N' : (byte)'T';
        int m = columns, n = rows, ld = Math.Max(1, lda), one = 1;
        fixed (double* pa = a)
        fixed (double* px = x)
        fixed (double* py = y)
            Dgemv(&op, &m, &n, &alpha, pa, &ld, px, &one, &beta, py, &one);
    }

    /// <summary>
    /// C = α·GᵀG + β·C, or α·GGᵀ + β·C when <paramref name="outer"/>, row-major with row length <paramref name="ldc"/>,
    /// for the row-major rows × columns matrix <paramref name="g"/> (row length <paramref name="ldg"/>). Callers read
    /// the lower triangle; the product is computed in full (dgemm) as libtorch exports no dsyrk.
    /// </summary>
    public static void GramLower(ReadOnlySpan<double> g, int rows, int columns, int ldg, bool outer, double alpha, double beta,
        Span<double> c, int ldc)
    {
        int n = outer ? rows : columns, k = outer ? columns : rows;
        if (n == 0) return;
        // Column-major, G is the columns × rows matrix Gᵀ =: M: GᵀG = M·Mᵀ, GGᵀ = Mᵀ·M (symmetric, so either layout).
        byte left = outer ? (byte)'T' : (byte)'N', right = outer ? (byte)'N' : (byte)'T';
        int ld = Math.Max(1, ldg), ldOut = Math.Max(1, ldc);
        fixed (double* pg = g)
        fixed (double* pc = c)
            Dgemm(&left, &right, &n, &n, &k, &alpha, pg, &ld, pg, &ld, &beta, pc, &ldOut);
    }

    /// <summary>True when MKL's grouped batch product (<c>cblas_dgemm_batch</c>) was found as well.</summary>
    public static bool HasBatchProduct => IsAvailable && DgemmBatch is not null;

    /// <summary>
    /// C_i = op(A_i)·op(B_i) for i &lt; <paramref name="count"/> in one call of MKL's <c>cblas_dgemm_batch</c>, column-major
    /// (one group; every matrix c_i is m × n, α = 1, β = 0), as libtorch's batched matmul calls it: the same call gives
    /// the same bits. The pointers are of the matrices' first entries.
    /// </summary>
    public static void GemmBatch(bool transposeA, bool transposeB, int m, int n, int k, double** a, int lda, double** b, int ldb, double** c, int ldc, int count)
    {
        const int ColumnMajor = 102, NoTranspose = 111, Transpose = 112; // CBLAS_LAYOUT, CBLAS_TRANSPOSE
        int opA = transposeA ? Transpose : NoTranspose, opB = transposeB ? Transpose : NoTranspose;
        double one = 1, zero = 0;
        DgemmBatch(ColumnMajor, &opA, &opB, &m, &n, &k, &one, a, &lda, b, &ldb, &zero, c, &ldc, 1, &count);
    }

    /// <summary>
    /// Cholesky factorisation in place of the symmetric n × n matrix whose lower triangle is stored row-major in
    /// <paramref name="a"/> (row length <paramref name="lda"/>): afterwards that triangle holds L with A = LLᵀ.
    /// Returns LAPACK's info (&gt; 0: not positive definite at that column).
    /// </summary>
    public static int CholeskyLower(Span<double> a, int n, int lda)
    {
        if (n == 0) return 0;
        // Row-major lower = column-major upper: dpotrf('U') gives A = UᵀU with U = Lᵀ.
        byte uplo = (byte)'U';
        int order = n, ld = Math.Max(1, lda), info = 0;
        fixed (double* pa = a)
            Dpotrf(&uplo, &order, pa, &ld, &info);
        return info;
    }

    /// <summary>
    /// Overwrites x with L⁻¹x, or L⁻ᵀx when <paramref name="transpose"/>, for the row-major lower-triangular L of
    /// <see cref="CholeskyLower"/> (order n, row length <paramref name="lda"/>).
    /// </summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, int lda, bool transpose, Span<double> x)
    {
        if (n == 0) return;
        // Column-major the factor is U = Lᵀ (upper): L⁻¹x = U⁻ᵀx ('T'), L⁻ᵀx = U⁻¹x ('N').
        byte side = (byte)'L', uplo = (byte)'U', op = transpose ? (byte)'N' : (byte)'T', diagonal = (byte)'N';
        int order = n, ld = Math.Max(1, lda), columns = 1, ldb = n;
        double one = 1;
        fixed (double* pl = l)
        fixed (double* px = x)
            Dtrsm(&side, &uplo, &op, &diagonal, &order, &columns, &one, pl, &ld, px, &ldb);
    }

    /// <summary>
    /// Overwrites the row-major count × n matrix <paramref name="b"/> (row length n) with B·L⁻ᵀ, i.e. each row r with
    /// L⁻¹r, for the row-major lower-triangular L of <see cref="CholeskyLower"/> (order n, row length <paramref name="lda"/>).
    /// </summary>
    public static void SolveLowerRows(ReadOnlySpan<double> l, int n, int lda, Span<double> b, int count)
    {
        if (n == 0 || count == 0) return;
        // Column-major, B's rows are the count columns of an n × count matrix; L⁻¹ = U⁻ᵀ applied from the left.
        byte side = (byte)'L', uplo = (byte)'U', op = (byte)'T', diagonal = (byte)'N';
        int order = n, columns = count, ld = Math.Max(1, lda), ldb = n;
        double one = 1;
        fixed (double* pl = l)
        fixed (double* pb = b)
            Dtrsm(&side, &uplo, &op, &diagonal, &order, &columns, &one, pl, &ld, pb, &ldb);
    }
}
