using System.Collections.Concurrent;

namespace DiffOpt.Cones;

/// <summary>
/// A pool of <see cref="ItemWorkspace"/>s (<see cref="Shared"/>: the process-wide one) for one program shape at a time (the cones, m, n and whether
/// P is given): a new shape replaces the pool. Holds at most one workspace per processor, and only for items of at
/// most <see cref="MaxPooledEntries"/> matrix entries, so that it keeps a few megabytes at most; larger items spend
/// far longer in their factorisations than in allocation.
/// </summary>
internal sealed class ItemWorkspacePool
{
    /// <summary>The pool the kernel uses.</summary>
    public static ItemWorkspacePool Shared { get; } = new();

    /// <summary>m·n + n·n above which workspaces are not pooled.</summary>
    internal const int MaxPooledEntries = 1 << 18;

    private Shelf? _shelf;

    /// <summary>The workspaces of one shape.</summary>
    private sealed record Shelf(IReadOnlyList<Cone> Cones, int M, int N, bool HasP)
    {
        public ConcurrentBag<ItemWorkspace> Free { get; } = [];

        public bool Fits(IReadOnlyList<Cone> cones, int m, int n, bool hasP) =>
            m == M && n == N && hasP == HasP && cones.SequenceEqual(Cones);
    }

    /// <summary>Whether items of this shape are pooled.</summary>
    public static bool Pools(int m, int n) => (long)m * n + (long)n * n <= MaxPooledEntries;

    /// <summary>A workspace for the shape: a returned one when there is one, else a new one.</summary>
    public ItemWorkspace Rent(IReadOnlyList<Cone> cones, int m, int n, bool hasP)
    {
        var shelf = Volatile.Read(ref _shelf);
        if (shelf is not null && shelf.Fits(cones, m, n, hasP) && shelf.Free.TryTake(out var workspace)) return workspace;
        return new ItemWorkspace(cones, m, n, hasP);
    }

    /// <summary>Gives <paramref name="workspace"/> back for the next item of the shape.</summary>
    public void Return(ItemWorkspace workspace, IReadOnlyList<Cone> cones, int m, int n, bool hasP)
    {
        var shelf = Volatile.Read(ref _shelf);
        if (shelf is null || !shelf.Fits(cones, m, n, hasP))
        {
            // Copy the cone list: the caller's list may change after the call.
            shelf = new Shelf(cones.ToArray(), m, n, hasP);
            Volatile.Write(ref _shelf, shelf);
        }
        if (shelf.Free.Count < Environment.ProcessorCount) shelf.Free.Add(workspace);
    }
}
