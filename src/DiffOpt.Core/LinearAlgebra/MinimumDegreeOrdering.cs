namespace DiffOpt.LinearAlgebra;

/// <summary>
/// A fill-reducing symmetric ordering by the minimum-degree heuristic on the explicit elimination graph (Davis,
/// "Direct Methods for Sparse Linear Systems", SIAM 2006, §7.1; Tinney–Walker scheme 2): repeatedly eliminate a node
/// of least current degree and join its neighbours into a clique. Exact degrees, no supervariables or element
/// absorption (which make AMD fast on large graphs): its cost is the number of fill edges times the clique sizes,
/// fine for the KKT systems of a few thousand rows this kernel meets, whose fill stays small. Ties go to the lower index.
/// </summary>
internal static class MinimumDegreeOrdering
{
    /// <summary>
    /// The ordering of the graph with <paramref name="order"/> nodes and an edge i–j for every entry (i, j), i ≠ j, of
    /// the pattern given column by column (<paramref name="columnStarts"/>, length order + 1, and
    /// <paramref name="rows"/>; either triangle or both; the diagonal is ignored). Returns perm with perm[k] the node
    /// eliminated k-th.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern's arrays do not fit <paramref name="order"/> (ParamName names the array).</exception>
    public static int[] Order(int order, ReadOnlySpan<int> columnStarts, ReadOnlySpan<int> rows)
    {
        if (order < 0) throw new ArgumentException($"The order must be non-negative, got {order}.", nameof(order));
        if (columnStarts.Length != order + 1)
            throw new ArgumentException($"Expected {order + 1} column starts, got {columnStarts.Length}.", nameof(columnStarts));
        var neighbours = new HashSet<int>[order];
        for (int j = 0; j < order; j++) neighbours[j] = [];
        for (int j = 0; j < order; j++)
            for (int p = columnStarts[j]; p < columnStarts[j + 1]; p++)
            {
                int i = rows[p];
                if ((uint)i >= (uint)order) throw new ArgumentException($"Row index {i} outside 0..{order - 1}.", nameof(rows));
                if (i == j) continue;
                neighbours[i].Add(j);
                neighbours[j].Add(i);
            }
        var queue = new PriorityQueue<int, (int Degree, int Node)>();
        for (int j = 0; j < order; j++) queue.Enqueue(j, (neighbours[j].Count, j));
        var eliminated = new bool[order];
        var perm = new int[order];
        var clique = new List<int>();
        for (int k = 0; k < order; k++)
        {
            int v;
            while (true)
            {
                queue.TryDequeue(out v, out var key);
                // Entries go stale when a degree changes; the current one was queued again then.
                if (!eliminated[v] && key.Degree == neighbours[v].Count) break;
            }
            eliminated[v] = true;
            perm[k] = v;
            clique.Clear();
            clique.AddRange(neighbours[v]);
            foreach (int u in clique)
            {
                var set = neighbours[u];
                set.Remove(v);
                foreach (int w in clique)
                    if (w != u) set.Add(w);
                queue.Enqueue(u, (set.Count, u));
            }
            neighbours[v] = [];
        }
        return perm;
    }
}
