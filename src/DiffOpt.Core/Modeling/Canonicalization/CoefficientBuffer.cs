namespace DiffOpt.Modeling;

/// <summary>
/// The coefficients M[entry, slot] += value of an <see cref="AffineDataMap"/> as they are collected (in any order,
/// duplicates allowed; slot −1 is the constant column), held as parallel arrays: a plain non-generic buffer, so that
/// compiling a problem instantiates no collection or LINQ code over value tuples (their one-time JIT dominated the
/// first layer build).
/// </summary>
internal sealed class CoefficientBuffer
{
    private long[] _entries;
    private int[] _slots;
    private double[] _values;

    /// <summary>An empty buffer with room for <paramref name="capacity"/> coefficients.</summary>
    public CoefficientBuffer(int capacity = 16)
    {
        capacity = Math.Max(capacity, 4);
        _entries = new long[capacity];
        _slots = new int[capacity];
        _values = new double[capacity];
    }

    /// <summary>The number of coefficients added.</summary>
    public int Count { get; private set; }

    /// <summary>The entries, in the order added (the first <see cref="Count"/> are used).</summary>
    public long[] Entries => _entries;

    /// <summary>The slots (−1: the constant column), in the order added.</summary>
    public int[] Slots => _slots;

    /// <summary>The values, in the order added.</summary>
    public double[] Values => _values;

    /// <summary>Adds M[<paramref name="entry"/>, <paramref name="slot"/>] += <paramref name="value"/>.</summary>
    public void Add(long entry, int slot, double value)
    {
        if (Count == _entries.Length)
        {
            int capacity = checked(2 * Count);
            _entries = (long[])Grown(_entries, new long[capacity]);
            _slots = (int[])Grown(_slots, new int[capacity]);
            _values = (double[])Grown(_values, new double[capacity]);
        }
        _entries[Count] = entry;
        _slots[Count] = slot;
        _values[Count] = value;
        Count++;
    }

    /// <summary><paramref name="larger"/> holding <paramref name="array"/>'s entries first (the non-generic copy: no JIT per element type).</summary>
    private static Array Grown(Array array, Array larger)
    {
        Array.Copy(array, larger, array.Length);
        return larger;
    }
}
