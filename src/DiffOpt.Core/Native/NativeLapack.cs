using System.Runtime.InteropServices;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Native;

/// <summary>
/// The LAPACK Cholesky routines (potrf/potrs) and BLAS's triangular solve (trsm), Fortran ABI, that libtorch's CPU library exports from its bundled
/// MKL, resolved once at run time. Used by <see cref="BatchedCholesky"/> to factorise a batch of small matrices
/// without libtorch's per-matrix dispatch overhead; when the symbols are not found (another platform or build),
/// <see cref="IsAvailable"/> is false and the caller uses libtorch's own batched routines.
/// </summary>
internal static unsafe class NativeLapack
{
    private static readonly delegate* unmanaged<byte*, int*, double*, int*, int*, void> Dpotrf;
    private static readonly delegate* unmanaged<byte*, int*, int*, double*, int*, double*, int*, int*, void> Dpotrs;
    private static readonly delegate* unmanaged<byte*, int*, float*, int*, int*, void> Spotrf;
    private static readonly delegate* unmanaged<byte*, int*, int*, float*, int*, float*, int*, int*, void> Spotrs;
    private static readonly delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, double*, double*, int*, double*, int*, void> Dtrsm;
    private static readonly delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, float*, float*, int*, float*, int*, void> Strsm;
    private static readonly delegate* unmanaged<IntPtr, IntPtr> TensorData;

    static NativeLapack()
    {
        if (!TryLoadAny(out var torch, "libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib")) return;
        if (!TryLoadAny(out var sharp, "libLibTorchSharp.so", "LibTorchSharp.dll", "libLibTorchSharp.dylib")) return;
        if (NativeLibrary.TryGetExport(torch, "dpotrf_", out var dpotrf)
            && NativeLibrary.TryGetExport(torch, "dpotrs_", out var dpotrs)
            && NativeLibrary.TryGetExport(torch, "spotrf_", out var spotrf)
            && NativeLibrary.TryGetExport(torch, "spotrs_", out var spotrs)
            && NativeLibrary.TryGetExport(torch, "dtrsm_", out var dtrsm)
            && NativeLibrary.TryGetExport(torch, "strsm_", out var strsm)
            && NativeLibrary.TryGetExport(sharp, "THSTensor_data", out var data))
        {
            Dpotrf = (delegate* unmanaged<byte*, int*, double*, int*, int*, void>)dpotrf;
            Dpotrs = (delegate* unmanaged<byte*, int*, int*, double*, int*, double*, int*, int*, void>)dpotrs;
            Spotrf = (delegate* unmanaged<byte*, int*, float*, int*, int*, void>)spotrf;
            Spotrs = (delegate* unmanaged<byte*, int*, int*, float*, int*, float*, int*, int*, void>)spotrs;
            Dtrsm = (delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, double*, double*, int*, double*, int*, void>)dtrsm;
            Strsm = (delegate* unmanaged<byte*, byte*, byte*, byte*, int*, int*, float*, float*, int*, float*, int*, void>)strsm;
            TensorData = (delegate* unmanaged<IntPtr, IntPtr>)data;
            IsAvailable = true;
        }
    }

    /// <summary>True when the routines were found in the loaded libtorch.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Address of the first element of a (contiguous, CPU) tensor.</summary>
    public static IntPtr DataPointer(TorchSharp.torch.Tensor tensor) => TensorData(tensor.Handle);

    /// <summary>
    /// The first element of a contiguous CPU tensor whose element type is <typeparamref name="T"/>. The kernels read
    /// and write through such pointers without bounds, so a tensor that does not fit the view is refused here with an
    /// exception instead of corrupting memory.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not on the CPU, not contiguous, or its element type is not <typeparamref name="T"/>.</exception>
    public static T* Data<T>(TorchSharp.torch.Tensor tensor) where T : unmanaged
    {
        CheckView<T>(tensor);
        return (T*)TensorData(tensor.Handle);
    }

    /// <summary>Refuses a tensor that a pointer view of element type <typeparamref name="T"/> cannot read safely.</summary>
    /// <exception cref="ArgumentException">The tensor is not on the CPU, not contiguous, or its element type is not <typeparamref name="T"/>.</exception>
    public static void CheckView<T>(TorchSharp.torch.Tensor tensor) where T : unmanaged
    {
        var expected = typeof(T) == typeof(double) ? TorchSharp.torch.ScalarType.Float64
            : typeof(T) == typeof(float) ? TorchSharp.torch.ScalarType.Float32
            : typeof(T) == typeof(long) ? TorchSharp.torch.ScalarType.Int64
            : typeof(T) == typeof(bool) ? TorchSharp.torch.ScalarType.Bool
            : throw new ArgumentException($"No tensor element type corresponds to {typeof(T).Name}.", nameof(T));
        if (tensor.dtype != expected)
            throw new ArgumentException($"A kernel view of {typeof(T).Name} was asked of a {tensor.dtype} tensor of shape {TensorText.Shape(tensor)}.", nameof(tensor));
        if (tensor.device_type != TorchSharp.DeviceType.CPU)
            throw new ArgumentException($"A kernel view was asked of a tensor on {tensor.device}; only CPU tensors can be read directly.", nameof(tensor));
        if (!tensor.is_contiguous())
            throw new ArgumentException($"A kernel view was asked of a non-contiguous tensor of shape {TensorText.Shape(tensor)}.", nameof(tensor));
    }

    /// <summary>
    /// Whether the native routines and the managed CPU kernels, which read tensor memory directly, serve
    /// <paramref name="tensor"/>: the routines were found and it is a CPU tensor of float32 or float64.
    /// </summary>
    public static bool Serves(TorchSharp.torch.Tensor tensor) =>
        IsAvailable && !KernelSwitch.TensorPathOnly && tensor.device_type == TorchSharp.DeviceType.CPU
        && (tensor.dtype == TorchSharp.torch.ScalarType.Float64 || tensor.dtype == TorchSharp.torch.ScalarType.Float32);

    /// <summary>
    /// Cholesky factorisation in place of the column-major n×n matrix at <paramref name="a"/>, upper triangle
    /// (a row-major symmetric matrix read as column-major is itself, and the upper column-major triangle is the
    /// lower row-major one, so this leaves L with A = LLᵀ in the row-major lower triangle). Returns LAPACK's info.
    /// </summary>
    public static int Factor(IntPtr a, int n, bool single)
    {
        byte uplo = (byte)'U';
        int info = 0, lda = n;
        if (single) Spotrf(&uplo, &n, (float*)a, &lda, &info);
        else Dpotrf(&uplo, &n, (double*)a, &lda, &info);
        return info;
    }

    /// <summary>Solves with a factor from <see cref="Factor"/>, in place, for <paramref name="columns"/> column-major right-hand sides of length n at <paramref name="b"/>.</summary>
    public static void Solve(IntPtr a, int n, IntPtr b, int columns, bool single)
    {
        byte uplo = (byte)'U';
        int info = 0, lda = n, ldb = n;
        if (single) Spotrs(&uplo, &n, &columns, (float*)a, &lda, (float*)b, &ldb, &info);
        else Dpotrs(&uplo, &n, &columns, (double*)a, &lda, (double*)b, &ldb, &info);
    }

    /// <summary>
    /// With a factor from <see cref="Factor"/> (column-major U = Lᵀ), overwrites the <paramref name="columns"/>
    /// column-major right-hand sides of length n at <paramref name="b"/> with L⁻¹b = U⁻ᵀb. Read row-major, b holds
    /// rows R and receives R L⁻ᵀ.
    /// </summary>
    public static void SolveLower(IntPtr a, int n, IntPtr b, int columns, bool single)
    {
        byte side = (byte)'L', uplo = (byte)'U', transposed = (byte)'T', diagonal = (byte)'N';
        int lda = n, ldb = n;
        if (single)
        {
            float one = 1;
            Strsm(&side, &uplo, &transposed, &diagonal, &n, &columns, &one, (float*)a, &lda, (float*)b, &ldb);
        }
        else
        {
            double one = 1;
            Dtrsm(&side, &uplo, &transposed, &diagonal, &n, &columns, &one, (double*)a, &lda, (double*)b, &ldb);
        }
    }

    /// <summary>
    /// A handle to the first of <paramref name="names"/> that loads. TorchSharp loads libtorch from the package's
    /// runtimes folder on its first use, and only then does a load by name find it; so the CPU backend is initialised
    /// first. (Resolved before that, the routines were missing for the life of the process: a test of the dense
    /// kernels that ran before any tensor existed called a null function pointer and crashed the test host.)
    /// </summary>
    internal static bool TryLoadAny(out IntPtr handle, params string[] names)
    {
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out handle)) return true;
        handle = IntPtr.Zero;
        return false;
    }
}
