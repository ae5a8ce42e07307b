using System.Runtime.InteropServices;

namespace DiffOpt.Native;

/// <summary>
/// An opt-in, process-wide setting of glibc's allocator for applications that solve large batches repeatedly. The
/// library never applies it by itself: call <see cref="Apply()"/> once, at the start of your application, if you want
/// it. It changes the allocator for the whole process, including code that is not DiffOpt's.
/// </summary>
/// <remarks>
/// glibc serves a block below its mmap threshold from the heap and, by default, raises that threshold to the size of
/// every mapped block it frees (up to 32 MiB). A process that frees and allocates tensors of a few MB over and over
/// then keeps them on the heap, where freed blocks are not given back and are often not reused: resident memory grows
/// with every batched solve until a .NET garbage collection happens to finalise the small native objects (TorchSharp's
/// implicitly created scalars, for instance) that pin the heap. Measured with the benchmark CLI's
/// <c>qp-case --mmap-threshold</c> (19 forward + backward solves of B = 128, n = 100, m = 100, p = 20, 1 thread; the
/// docs' benchmark page has the table): peak resident memory 1,407 MB with glibc's dynamic threshold, 1,322 MB at
/// 16 MiB, 583 MB at <see cref="MmapThresholdBytes"/> (4 MiB), 559 MB at 1 MiB, for 0-11 % more CPU time per solve
/// (fresh mappings fault their pages in on first touch); at n = 50 the 4 MiB setting costs 3 % of CPU time against
/// 16 MiB. A plain TorchSharp loop of 10 MB tensor products shows the same: 17 GB after 2,400 products at 16 MiB,
/// flat at 175 MB at 4 MiB. Fixing the mmap threshold also stops glibc from raising its trim threshold with it (it
/// keeps 2× the dynamic mmap threshold), leaving 128 KiB: then every time the free memory at the heap's top exceeds
/// 128 KiB it is given back, and the next blocks below the mmap threshold (a solve's vectors and its matrices of a few
/// MB) fault their pages in again. <see cref="Apply()"/> therefore also sets the trim threshold to
/// <see cref="TrimThresholdBytes"/>: qp-case B = 128, n = 100, m = 100, p = 20 (1 thread, 7 forward + backward solves
/// after 2 warm-ups, two alternating runs each) took 634 and 611 ms of CPU time per solve at 128 KiB, 313 and 305 ms
/// at 128 MiB, with a peak working set of 455 MB against 479-482 MB. On other operating systems, or a C library other
/// than glibc, nothing is changed and <see cref="Apply()"/> returns false.
/// <para>
/// With the threshold fixed, a block above it (B = 128, n = 100: every 10 MB batch matrix) is mapped afresh, and
/// faulted in page by page, until glibc's heap has grown enough to serve it: a process's first 5-6 forward solves are
/// slower (27k, 21k, 15k, 10k, 5k, then 0 page faults per solve; ~10 µs each on a VM), and a process may stay at 15k
/// faults and 2.4× the CPU time per solve (qp-case --reps 14 --warmup 0: one of three processes). Where the system's
/// transparent huge pages are "madvise", glibc 2.35 and later can ask for them on every block it maps, with
/// <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c> in the environment when the process starts (it cannot be changed from
/// here): then the first solve takes 4.6k faults and the second is within 40 % of the steady state in every process.
/// </para>
/// </remarks>
public static class NativeMemoryTuning
{
    /// <summary>The mmap threshold <see cref="Apply()"/> sets: 4 MiB.</summary>
    public const int MmapThresholdBytes = 4 * 1024 * 1024;

    /// <summary>The largest threshold glibc accepts on 64-bit systems (its DEFAULT_MMAP_THRESHOLD_MAX): 32 MiB.</summary>
    public const int MaximumMmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>The trim threshold <see cref="Apply()"/> sets with the mmap threshold: 128 MiB of free memory at the heap's top stays mapped.</summary>
    public const int TrimThresholdBytes = 128 * 1024 * 1024;

    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD in glibc's malloc.h
    private const int TrimThresholdParameter = -1; // M_TRIM_THRESHOLD in glibc's malloc.h

    private static int _applied;

    /// <summary>Test seam: the call that reaches glibc's <c>mallopt</c>.</summary>
    internal static Func<int, int, int> Mallopt { get; set; } = GlibcMallopt;

    /// <summary>True once <see cref="Apply()"/> has changed the allocator's setting in this process.</summary>
    public static bool IsApplied => Volatile.Read(ref _applied) == 1;

    /// <summary>
    /// Sets glibc's mmap threshold to <see cref="MmapThresholdBytes"/> and its trim threshold to
    /// <see cref="TrimThresholdBytes"/> for the whole process (Linux with glibc only). Calling it again is harmless.
    /// </summary>
    /// <returns>True when the setting is in effect; false on other systems or when the C library refused it.</returns>
    public static bool Apply() => Apply(MmapThresholdBytes);

    /// <summary>
    /// Sets glibc's mmap threshold to <paramref name="mmapThresholdBytes"/> for the whole process (Linux with glibc
    /// only): blocks of at least that size are mapped afresh and returned to the system when freed. The trim threshold
    /// is set to <see cref="TrimThresholdBytes"/> (see the remarks of <see cref="NativeMemoryTuning"/>).
    /// </summary>
    /// <param name="mmapThresholdBytes">The threshold, from 1 byte to <see cref="MaximumMmapThresholdBytes"/>.</param>
    /// <returns>True when the setting is in effect; false on other systems or when the C library refused it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not in (0, <see cref="MaximumMmapThresholdBytes"/>].</exception>
    public static bool Apply(int mmapThresholdBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mmapThresholdBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mmapThresholdBytes, MaximumMmapThresholdBytes);
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (Mallopt(MmapThresholdParameter, mmapThresholdBytes) == 0) return false; // mallopt returns 0 on error
            if (Mallopt(TrimThresholdParameter, TrimThresholdBytes) == 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc: nothing to tune
        }
        Volatile.Write(ref _applied, 1);
        return true;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int GlibcMallopt(int parameter, int value);
}
