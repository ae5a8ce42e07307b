using System.Runtime.InteropServices;

namespace DiffOpt.Native;

/// <summary>
/// An opt-in, process-wide setting of glibc's allocator for applications that solve large batches repeatedly. The
/// library never applies it by itself: call <see cref="Apply"/> once, at the start of your application, if you want
/// it. It changes the allocator for the whole process, including code that is not DiffOpt's.
/// </summary>
/// <remarks>
/// By default glibc raises its mmap threshold each time a large block is freed, and resident memory then grows by
/// tens of MB per batched solve until a .NET garbage collection happens to finalise the small native objects that
/// pin freed heap blocks (measured: 460 MB → 1.4 GB over 16 solves of B = 128, n = 50, flat after a forced
/// collection). <see cref="Apply"/> fixes the threshold at <see cref="MmapThresholdBytes"/> (16 MiB): tensors up to
/// that size are then reused from the heap instead of being fresh mappings whose pages fault on first touch. What it
/// buys on the CPU: at B = 128, n = 100 a forward and backward took 1.0 s instead of 1.5 s with a 128 KiB threshold,
/// resident memory levelling off near 1.6 GB instead of 480 MB; the documentation's benchmark page has the
/// measurement on the Sudoku sample. On other operating systems, or a C library other than glibc, nothing is
/// changed and <see cref="Apply"/> returns false.
/// </remarks>
public static class NativeMemoryTuning
{
    /// <summary>The mmap threshold <see cref="Apply"/> sets: 16 MiB.</summary>
    public const int MmapThresholdBytes = 16 * 1024 * 1024;

    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD in glibc's malloc.h

    private static int _applied;

    /// <summary>Test seam: the call that reaches glibc's <c>mallopt</c>.</summary>
    internal static Func<int, int, int> Mallopt { get; set; } = GlibcMallopt;

    /// <summary>True once <see cref="Apply"/> has changed the allocator's setting in this process.</summary>
    public static bool IsApplied => Volatile.Read(ref _applied) == 1;

    /// <summary>
    /// Sets glibc's mmap threshold to <see cref="MmapThresholdBytes"/> for the whole process (Linux with glibc
    /// only). Calling it again is harmless.
    /// </summary>
    /// <returns>True when the setting is in effect; false on other systems or when the C library refused it.</returns>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (Mallopt(MmapThresholdParameter, MmapThresholdBytes) == 0) return false; // mallopt returns 0 on error
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
