using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Large result tensors whose memory is mapped in before it is written: a fresh block of megabytes (glibc maps every
/// block at or above its mmap threshold anew, <see cref="NativeMemoryTuning"/>) otherwise takes one page fault per
/// 4 KiB page on first touch, and page faults are expensive on virtual machines.
/// </summary>
/// <remarks>
/// <see cref="Empty"/> asks the kernel (Linux's madvise) for transparent huge pages on the 2 MiB-aligned part of the
/// block (MADV_HUGEPAGE; it acts when the system's setting is "madvise") and then to map the whole block writable in
/// one call (MADV_POPULATE_WRITE, Linux 5.14+), which leaves the contents as they are. Neither changes what the memory
/// holds, so a block taken from the heap (below the threshold, already mapped) is unaffected, and a refusal (another
/// system, an older kernel) changes nothing but the time. Measured on the cone case lp_b128_n50 (the adjoint's dense
/// ∇A, B × m × n = 128 × 110 × 50 float64 = 5.6 MB, on this project's 2-core VM): 1,376 page faults and 16-17 ms
/// without, 354 faults with both requests.
/// </remarks>
internal static unsafe class FreshPages
{
    /// <summary>Blocks smaller than this (one huge page) are left to the allocator: few pages, and often from the heap.</summary>
    internal const long MinimumBytes = 2L * 1024 * 1024;

    private const long PageBytes = 4096;
    private const long HugePageBytes = 2L * 1024 * 1024;
    private const int AdviseHugePage = 14;       // MADV_HUGEPAGE
    private const int AdvisePopulateWrite = 23;  // MADV_POPULATE_WRITE

    private static int _unavailable;

    /// <summary>
    /// An uninitialised contiguous tensor like <c>torch.empty</c>; on the CPU (Linux), when it has at least
    /// <see cref="MinimumBytes"/>, its pages are mapped in before it is returned.
    /// </summary>
    public static Tensor Empty(long[] shape, ScalarType dtype, Device device)
    {
        var result = empty(shape, dtype: dtype, device: device);
        long bytes = result.numel() * result.ElementSize;
        if (bytes >= MinimumBytes && device.type == TorchSharp.DeviceType.CPU && OperatingSystem.IsLinux()
            && NativeLapack.IsAvailable && Volatile.Read(ref _unavailable) == 0)
        {
            long start = (long)NativeLapack.DataPointer(result);
            MapIn(start, start + bytes);
        }
        return result;
    }

    /// <summary>Requests huge pages on the 2 MiB-aligned part of [start, end) and maps its whole pages in.</summary>
    private static void MapIn(long start, long end)
    {
        try
        {
            long hugeStart = RoundUp(start, HugePageBytes), hugeEnd = end / HugePageBytes * HugePageBytes;
            if (hugeEnd > hugeStart) _ = Advise((nint)hugeStart, (nuint)(hugeEnd - hugeStart), AdviseHugePage);
            // Whole pages inside the block only: its first and last pages may be shared with other blocks.
            long pageStart = RoundUp(start, PageBytes), pageEnd = end / PageBytes * PageBytes;
            if (pageEnd > pageStart) _ = Advise((nint)pageStart, (nuint)(pageEnd - pageStart), AdvisePopulateWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
        }
    }

    private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Advise(nint address, nuint length, int advice);
}
