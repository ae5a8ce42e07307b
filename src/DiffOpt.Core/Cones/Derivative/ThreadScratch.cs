namespace DiffOpt.Cones;

/// <summary>
/// Per-thread work arrays of the derivative's per-item loops: each item on a thread reuses the thread's array instead
/// of a fresh one (a fresh array's pages fault in on first touch, which on a VM costs more than the item's arithmetic).
/// </summary>
internal static class ThreadScratch
{
    /// <summary>
    /// The array held in <paramref name="slot"/> (a [ThreadStatic] field) when it has at least <paramref name="length"/>
    /// entries, else a new one stored there. Its contents are whatever the thread's last user left.
    /// </summary>
    public static double[] AtLeast(ref double[]? slot, int length) =>
        slot is { } held && held.Length >= length ? held : slot = new double[length];
}
