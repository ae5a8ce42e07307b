using System.Runtime.InteropServices;

namespace DiffOpt.Native;

/// <summary>
/// Fixes glibc's mmap threshold for the solver's large temporary tensors. By default glibc raises the threshold
/// each time a large block is freed, and resident memory then grows by tens of MB per batched solve until a .NET
/// garbage collection happens to finalise the small native objects that pin freed heap blocks (measured: 460 MB →
/// 1.4 GB over 16 solves of B = 128, n = 50, flat after a forced collection). A fixed threshold stops that growth.
/// Its value trades speed for memory: at 128 KiB every large tensor is a fresh mapping whose pages fault on first
/// touch (B = 128, n = 100: 1.5 s per forward + backward, 480 MB resident); at 16 MiB tensors up to that size are
/// reused from the heap (1.0 s, resident memory levels off at about 1.6 GB). The 16 MiB setting is applied once
/// per process, on Linux only; set the environment variable DIFFOPT_KEEP_MALLOC_SETTINGS=1 to keep glibc's own.
/// </summary>
internal static class NativeMemoryTuning
{
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD in glibc's malloc.h
    private const int MmapThresholdBytes = 16 * 1024 * 1024;
    private static int _applied;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>Applies the setting the first time it is called.</summary>
    public static void EnsureApplied()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("DIFFOPT_KEEP_MALLOC_SETTINGS") == "1") return;
        try { Mallopt(MmapThresholdParameter, MmapThresholdBytes); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* not glibc: nothing to tune */ }
    }
}
