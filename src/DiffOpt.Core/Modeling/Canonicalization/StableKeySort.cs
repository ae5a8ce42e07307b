namespace DiffOpt.Modeling;

/// <summary>
/// A stable bottom-up merge sort of int64 keys carrying an int32 index each: equal keys keep their order. Written out
/// (not <c>Array.Sort&lt;long, int&gt;</c>, which is unstable and whose generic helpers the first build would JIT).
/// </summary>
internal static class StableKeySort
{
    /// <summary>Sorts <paramref name="keys"/> ascending, permuting <paramref name="items"/> alongside.</summary>
    public static void Sort(long[] keys, int[] items)
    {
        int n = keys.Length;
        bool sorted = true;
        for (int k = 1; k < n && sorted; k++) sorted = keys[k] >= keys[k - 1];
        if (sorted) return;
        var (keyFrom, itemFrom) = (keys, items);
        var (keyTo, itemTo) = (new long[n], new int[n]);
        for (int width = 1; width < n; width *= 2)
        {
            for (int start = 0; start < n; start += 2 * width)
            {
                int middle = Math.Min(start + width, n), end = Math.Min(start + 2 * width, n);
                int i = start, j = middle, o = start;
                while (i < middle && j < end)
                {
                    // Take from the left run on ties: that keeps equal keys in their order.
                    bool left = keyFrom[i] <= keyFrom[j];
                    int from = left ? i++ : j++;
                    keyTo[o] = keyFrom[from];
                    itemTo[o++] = itemFrom[from];
                }
                for (; i < middle; i++, o++) (keyTo[o], itemTo[o]) = (keyFrom[i], itemFrom[i]);
                for (; j < end; j++, o++) (keyTo[o], itemTo[o]) = (keyFrom[j], itemFrom[j]);
            }
            (keyFrom, keyTo) = (keyTo, keyFrom);
            (itemFrom, itemTo) = (itemTo, itemFrom);
        }
        if (!ReferenceEquals(keyFrom, keys))
        {
            Array.Copy(keyFrom, keys, n);
            Array.Copy(itemFrom, items, n);
        }
    }
}
