using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Work tensors of a batch's size kept across calls, one set per key (a problem's shape), leased by one call at a
/// time: a fresh tensor of a few MB is mapped and faulted in page by page by glibc (<see cref="NativeMemoryTuning"/>),
/// a kept one is not. A set is free again once its lease has ended and nothing can read the tensors it handed out
/// (<see cref="BufferLease.IsReleased"/>). A call that finds its key's set in use (a concurrent call, or an earlier
/// result that still holds the set's tensors) gets no lease and allocates fresh memory, as without the pool. At most
/// <see cref="Capacity"/> keys keep a set; a new key replaces the least recently leased free one.
/// </summary>
/// <typeparam name="TKey">What decides which set a call may use.</typeparam>
internal sealed class BufferPool<TKey> : IDisposable where TKey : IEquatable<TKey>
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = []; // least recently leased first
    private bool _disposed;

    /// <summary>A pool that keeps sets for at most <paramref name="capacity"/> keys.</summary>
    public BufferPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The largest number of keys that keep a set.</summary>
    public int Capacity { get; }

    /// <summary>The number of keys that keep a set now (for tests).</summary>
    internal int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>How many leases were given a set kept from an earlier call (for tests).</summary>
    internal int Reuses { get; private set; }

    /// <summary>
    /// A lease on the set of <paramref name="key"/> for one call, or null when that set is in use, every kept set is
    /// in use and the capacity is reached, or the pool is disposed. The caller ends the call with
    /// <see cref="BufferLease.EndCall"/>.
    /// </summary>
    public BufferLease? Lease(TKey key)
    {
        BufferSet? freed = null;
        BufferLease lease;
        lock (_gate)
        {
            if (_disposed) return null;
            int index = _entries.FindIndex(entry => entry.Key.Equals(key));
            BufferSet set;
            if (index >= 0)
            {
                if (!_entries[index].Lease.IsReleased) return null;
                set = _entries[index].Set;
                _entries.RemoveAt(index);
                Reuses++;
            }
            else
            {
                if (_entries.Count >= Capacity)
                {
                    int free = _entries.FindIndex(entry => entry.Lease.IsReleased);
                    if (free < 0) return null;
                    freed = _entries[free].Set;
                    _entries.RemoveAt(free);
                }
                set = new BufferSet();
            }
            lease = new BufferLease(set);
            _entries.Add(new Entry(key, set, lease));
        }
        freed?.Dispose();
        return lease;
    }

    /// <summary>
    /// Frees the kept tensors. Tensors a result still holds keep their memory (libtorch counts the references) until
    /// they are disposed.
    /// </summary>
    public void Dispose()
    {
        List<Entry> entries;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            entries = [.. _entries];
            _entries.Clear();
        }
        foreach (var entry in entries) entry.Set.Dispose();
    }

    private sealed record Entry(TKey Key, BufferSet Set, BufferLease Lease);
}

/// <summary>
/// One call's use of a <see cref="BufferPool{TKey}"/> set. Each slot's tensor is handed out at most once per lease, so
/// two results of one call never share memory. The set is free again (<see cref="IsReleased"/>) once the call has
/// ended and either <see cref="Release"/> was called or every tensor handed out has been disposed or collected.
/// </summary>
internal sealed class BufferLease
{
    private readonly BufferSet _set;
    private readonly HashSet<int> _taken = [];
    private readonly List<WeakReference<Tensor>> _views = [];
    private volatile bool _inCall = true;
    private volatile bool _released;

    internal BufferLease(BufferSet set)
    {
        _set = set;
    }

    /// <summary>
    /// An uninitialised contiguous tensor of <paramref name="shape"/> for <paramref name="slot"/>: the set's kept memory
    /// when the slot was not taken in this lease yet, else fresh memory (as <c>torch.empty</c>). When
    /// <paramref name="lease"/> is null it is always fresh.
    /// </summary>
    public static Tensor Empty(BufferLease? lease, int slot, long[] shape, ScalarType dtype, Device device) =>
        lease?.Take(slot, shape, dtype, device) ?? empty(shape, dtype: dtype, device: device);

    private Tensor? Take(int slot, long[] shape, ScalarType dtype, Device device)
    {
        lock (_views)
        {
            if (!_inCall || !_taken.Add(slot)) return null;
            var view = _set.View(slot, shape, dtype, device);
            if (view is not null) _views.Add(new WeakReference<Tensor>(view));
            return view;
        }
    }

    /// <summary>Marks the end of the call that took the lease; from now on only the tensors it handed out hold the set.</summary>
    public void EndCall() => _inCall = false;

    /// <summary>Declares that nothing will read the tensors handed out any more (the caller dropped the result's state).</summary>
    public void Release() => _released = true;

    /// <summary>Whether the set may be leased again: the call has ended and nothing can read what it handed out.</summary>
    public bool IsReleased
    {
        get
        {
            if (_inCall) return false;
            if (_released) return true;
            lock (_views) return _views.TrueForAll(view => !view.TryGetTarget(out var tensor) || tensor.IsInvalid);
        }
    }
}

/// <summary>The tensors of one pool set, by slot, owned outside every dispose scope.</summary>
internal sealed class BufferSet : IDisposable
{
    private readonly Dictionary<int, Tensor> _owned = [];
    private bool _disposed;

    /// <summary>
    /// A new tensor object on the slot's memory (re-made when the shape, dtype or device differ from the kept one), or
    /// null once the set is disposed. The caller's dispose scope may dispose the view; the memory lives until the set
    /// is freed and no view of it is left.
    /// </summary>
    public Tensor? View(int slot, long[] shape, ScalarType dtype, Device device)
    {
        lock (_owned)
        {
            if (_disposed) return null;
            if (!_owned.TryGetValue(slot, out var owned) || owned.dtype != dtype || owned.device_type != device.type
                || owned.device_index != device.index || !owned.shape.SequenceEqual(shape))
            {
                owned?.Dispose();
                owned = FreshPages.Empty(shape, dtype, device).DetachFromDisposeScope();
                _owned[slot] = owned;
            }
            return owned.view(shape);
        }
    }

    /// <summary>Releases the kept tensors (views still alive keep their memory until they are disposed).</summary>
    public void Dispose()
    {
        lock (_owned)
        {
            _disposed = true;
            foreach (var tensor in _owned.Values) tensor.Dispose();
            _owned.Clear();
        }
    }
}
