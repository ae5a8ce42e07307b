namespace DiffOpt.Cones;

/// <summary>
/// Values computed from a batch's structure alone — its cones, its number of variables n and the nonzero masks of
/// A (m × n) and P (n × n, or none) — kept across calls, so that a layer that solves batches of one program analyses its pattern once rather
/// than on every forward pass. Keys compare by value (the cone records, the masks' contents); the
/// <see cref="Capacity"/> most recently used keys are kept. The values must not be changed by their users.
/// </summary>
/// <typeparam name="T">The value (null allowed: a decision that no pattern is worth building is cached too).</typeparam>
internal sealed class StructureCache<T>
{
    /// <summary>The number of structures kept.</summary>
    internal const int Capacity = 4;

    private readonly List<(Key Key, T Value)> _entries = [];   // least recently used first
    private readonly Lock _gate = new();

    /// <summary>
    /// The value for the structure (<paramref name="cones"/>, <paramref name="n"/>, <paramref name="aMask"/>,
    /// <paramref name="pMask"/>, <paramref name="variant"/>: a further choice the value depends on); computed by
    /// <paramref name="create"/> when not held. The masks are copied when kept, so the caller may reuse them.
    /// </summary>
    public T GetOrAdd(IReadOnlyList<Cone> cones, int n, bool[] aMask, bool[]? pMask, int variant, Func<T> create)
    {
        lock (_gate)
        {
            for (int k = 0; k < _entries.Count; k++)
            {
                var entry = _entries[k];
                if (!entry.Key.Matches(cones, n, aMask, pMask, variant)) continue;
                _entries.RemoveAt(k);
                _entries.Add(entry);
                return entry.Value;
            }
        }
        var value = create();
        var key = new Key([.. cones], n, (bool[])aMask.Clone(), (bool[]?)pMask?.Clone(), variant);
        lock (_gate)
        {
            if (_entries.Count == Capacity) _entries.RemoveAt(0);
            _entries.Add((key, value));
        }
        return value;
    }

    private sealed record Key(Cone[] Cones, int N, bool[] AMask, bool[]? PMask, int Variant)
    {
        public bool Matches(IReadOnlyList<Cone> cones, int n, bool[] aMask, bool[]? pMask, int variant) =>
            variant == Variant && n == N && Cones.SequenceEqual(cones) && aMask.AsSpan().SequenceEqual(AMask)
            && (pMask is null ? PMask is null : PMask is not null && pMask.AsSpan().SequenceEqual(PMask));
    }
}
