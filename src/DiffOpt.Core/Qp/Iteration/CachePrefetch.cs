using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace DiffOpt.Qp;

/// <summary>
/// Software prefetch of the next batch item's matrices while the per-item kernels work on the current one. A
/// batch's per-item matrices do not fit in cache, and the kernels jump between several of them (P, A, G; or L,
/// V, L_S, A), which the hardware's stream prefetchers follow only after their first misses; loading the next
/// item's rows while the current item computes hides that latency. A hint only: the results do not change.
/// </summary>
internal static class CachePrefetch
{
    /// <summary>Bytes per cache line.</summary>
    private const int Line = 64;

    /// <summary>Whether prefetches are issued (tests turn them off to compare the results bit for bit).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Prefetches the <paramref name="length"/> values at <paramref name="data"/> into the cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Values<T>(T* data, long length) where T : unmanaged
    {
        if (!Sse.IsSupported || !Enabled) return;
        byte* end = (byte*)(data + length);
        for (byte* line = (byte*)data; line < end; line += Line) Sse.Prefetch0(line);
    }

    /// <summary>Prefetches part <paramref name="part"/> of <paramref name="parts"/> equal parts of the <paramref name="length"/> values at <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Part<T>(T* data, long length, long part, long parts) where T : unmanaged
    {
        long start = length * part / parts, end = length * (part + 1) / parts;
        Values(data + start, end - start);
    }
}
