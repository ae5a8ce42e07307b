using System.Runtime.InteropServices;

namespace DiffOpt.Native;

/// <summary>
/// LAPACK's LU and symmetric-indefinite routines (dgetrf/dgetrs, dsytrf/dsytrs) (Fortran ABI) from libtorch's bundled MKL, resolved once at run time like
/// <see cref="NativeLapack"/>; <see cref="IsAvailable"/> is false where they are not exported, and callers then use
/// libtorch's batched routines.
/// </summary>
internal static unsafe class NativeLu
{
    private static readonly delegate* unmanaged<int*, int*, double*, int*, int*, int*, void> Dgetrf;
    private static readonly delegate* unmanaged<byte*, int*, int*, double*, int*, int*, double*, int*, int*, void> Dgetrs;
    private static readonly delegate* unmanaged<byte*, int*, double*, int*, int*, double*, int*, int*, void> Dsytrf;
    private static readonly delegate* unmanaged<byte*, int*, int*, double*, int*, int*, double*, int*, int*, void> Dsytrs;

    static NativeLu()
    {
        if (!NativeLapack.TryLoadAny(out var torch, "libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib")) return;
        if (NativeLibrary.TryGetExport(torch, "dgetrf_", out var getrf) && NativeLibrary.TryGetExport(torch, "dgetrs_", out var getrs)
            && NativeLibrary.TryGetExport(torch, "dsytrf_", out var sytrf) && NativeLibrary.TryGetExport(torch, "dsytrs_", out var sytrs))
        {
            Dsytrf = (delegate* unmanaged<byte*, int*, double*, int*, int*, double*, int*, int*, void>)sytrf;
            Dsytrs = (delegate* unmanaged<byte*, int*, int*, double*, int*, int*, double*, int*, int*, void>)sytrs;
            Dgetrf = (delegate* unmanaged<int*, int*, double*, int*, int*, int*, void>)getrf;
            Dgetrs = (delegate* unmanaged<byte*, int*, int*, double*, int*, int*, double*, int*, int*, void>)getrs;
            IsAvailable = true;
        }
    }

    /// <summary>True when the routines were found.</summary>
    public static bool IsAvailable { get; }

    /// <summary>LU with partial pivoting in place of the column-major n × n matrix; returns LAPACK's info (&gt; 0: exactly singular).</summary>
    public static int Factor(Span<double> a, Span<int> pivots, int n)
    {
        int info = 0, rows = n, columns = n, lda = Math.Max(1, n);
        fixed (double* pa = a)
        fixed (int* pp = pivots)
            Dgetrf(&rows, &columns, pa, &lda, pp, &info);
        return info;
    }

    /// <summary>Overwrites b (length n) with A⁻¹b, or A⁻ᵀb when <paramref name="transpose"/>, for factors from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> factors, ReadOnlySpan<int> pivots, int n, Span<double> b, bool transpose)
    {
        byte trans = transpose ? (byte)'T' : (byte)'N';
        int order = n, nrhs = 1, lda = Math.Max(1, n), ldb = Math.Max(1, n), info = 0;
        fixed (double* pa = factors)
        fixed (int* pp = pivots)
        fixed (double* pb = b)
            Dgetrs(&trans, &order, &nrhs, pa, &lda, pp, pb, &ldb, &info);
    }

    /// <summary>
    /// Bunch–Kaufman LDLᵀ in place of the symmetric n × n matrix whose lower triangle is stored row-major in
    /// <paramref name="a"/> (read as column-major: its upper triangle); <paramref name="work"/> of length at least n.
    /// Returns LAPACK's info (&gt; 0: a zero pivot).
    /// </summary>
    public static int FactorSymmetric(Span<double> a, Span<int> pivots, int n, Span<double> work)
    {
        byte uplo = (byte)'U';
        int order = n, lda = Math.Max(1, n), lwork = work.Length, info = 0;
        fixed (double* pa = a)
        fixed (int* pp = pivots)
        fixed (double* pw = work)
            Dsytrf(&uplo, &order, pa, &lda, pp, pw, &lwork, &info);
        return info;
    }

    /// <summary>Overwrites b with A⁻¹b for factors from <see cref="FactorSymmetric"/>.</summary>
    public static void SolveSymmetric(ReadOnlySpan<double> factors, ReadOnlySpan<int> pivots, int n, Span<double> b)
    {
        byte uplo = (byte)'U';
        int order = n, nrhs = 1, lda = Math.Max(1, n), ldb = Math.Max(1, n), info = 0;
        fixed (double* pa = factors)
        fixed (int* pp = pivots)
        fixed (double* pb = b)
            Dsytrs(&uplo, &order, &nrhs, pa, &lda, pp, pb, &ldb, &info);
    }
}
