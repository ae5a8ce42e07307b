namespace DiffOpt.LinearAlgebra;

/// <summary>
/// The symbolic analysis of a sparse symmetric quasi-definite matrix K for <see cref="SparseLdl"/>, computed once per
/// sparsity pattern and shared (read-only, so across threads) by every numeric factorisation with that pattern: a
/// fill-reducing ordering (<see cref="MinimumDegreeOrdering"/>), the permuted upper triangle PKPᵀ, its elimination
/// tree and the pattern of L (Davis, "Direct Methods for Sparse Linear Systems", §4: column counts by walking the
/// tree from each entry; the up-looking LDLᵀ of his LDL package). Row k of L is stored as the list of its columns in
/// increasing order with the position each entry takes in L's column storage, so the numeric phase does no searching.
/// </summary>
internal sealed class SparseLdlSymbolic
{
    private readonly int[] _entryPosition;

    /// <summary>
    /// Analyses the matrix of order <paramref name="order"/> whose upper triangle (including every diagonal entry) is
    /// given column by column: entries <paramref name="columnStarts"/>[j] .. [j + 1] − 1 of <paramref name="rows"/> are
    /// the rows i ≤ j of column j. Pivot k of the original order is expected positive when <paramref name="positive"/>[k].
    /// A given <paramref name="permutation"/> (perm[k] = the original index eliminated k-th) replaces the ordering.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The arrays do not fit the order, an entry lies below the diagonal, a diagonal entry is missing, or the
    /// permutation is not one; ParamName names the argument.
    /// </exception>
    public SparseLdlSymbolic(int order, int[] columnStarts, int[] rows, bool[] positive, int[]? permutation = null)
    {
        if (order < 0) throw new ArgumentException($"The order must be non-negative, got {order}.", nameof(order));
        if (columnStarts is null || columnStarts.Length != order + 1)
            throw new ArgumentException($"Expected {order + 1} column starts.", nameof(columnStarts));
        if (rows is null || rows.Length != columnStarts[order])
            throw new ArgumentException($"Expected {columnStarts[order]} row indices.", nameof(rows));
        if (positive is null || positive.Length != order)
            throw new ArgumentException($"Expected {order} pivot signs.", nameof(positive));
        for (int j = 0; j < order; j++)
        {
            bool diagonal = false;
            for (int p = columnStarts[j]; p < columnStarts[j + 1]; p++)
            {
                if ((uint)rows[p] > (uint)j)
                    throw new ArgumentException($"Entry ({rows[p]}, {j}) is not in the upper triangle.", nameof(rows));
                diagonal |= rows[p] == j;
            }
            if (!diagonal) throw new ArgumentException($"Column {j} has no diagonal entry.", nameof(rows));
        }
        Order = order;
        Entries = rows.Length;
        Permutation = permutation ?? MinimumDegreeOrdering.Order(order, columnStarts, rows);
        if (Permutation.Length != order) throw new ArgumentException($"Expected a permutation of {order}.", nameof(permutation));
        Inverse = new int[order];
        Array.Fill(Inverse, -1);
        for (int k = 0; k < order; k++)
        {
            int old = Permutation[k];
            if ((uint)old >= (uint)order || Inverse[old] >= 0)
                throw new ArgumentException("The permutation repeats or leaves out an index.", nameof(permutation));
            Inverse[old] = k;
        }
        Positive = new bool[order];
        for (int k = 0; k < order; k++) Positive[k] = positive[Permutation[k]];

        // The permuted upper triangle C = (PKPᵀ)ᵤ, with the place of every original entry.
        CStarts = new int[order + 1];
        for (int j = 0; j < order; j++)
            for (int p = columnStarts[j]; p < columnStarts[j + 1]; p++)
                CStarts[Math.Max(Inverse[rows[p]], Inverse[j]) + 1]++;
        for (int j = 0; j < order; j++) CStarts[j + 1] += CStarts[j];
        CRows = new int[Entries];
        _entryPosition = new int[Entries];
        var next = CStarts[..order];
        for (int j = 0; j < order; j++)
            for (int p = columnStarts[j]; p < columnStarts[j + 1]; p++)
            {
                int a = Inverse[rows[p]], b = Inverse[j];
                int column = Math.Max(a, b), q = next[column]++;
                CRows[q] = Math.Min(a, b);
                _entryPosition[p] = q;
            }

        // Elimination tree and column counts of L; row k's pattern is the set of tree paths from C's column k to k.
        Parent = new int[order];
        var counts = new int[order];
        var flag = new int[order];
        var rowStarts = new int[order + 1];
        var rowColumns = new List<int>();
        for (int k = 0; k < order; k++)
        {
            Parent[k] = -1;
            flag[k] = k;
            int start = rowColumns.Count;
            for (int p = CStarts[k]; p < CStarts[k + 1]; p++)
                for (int i = CRows[p]; flag[i] != k; i = Parent[i])
                {
                    if (Parent[i] == -1) Parent[i] = k;
                    counts[i]++;
                    flag[i] = k;
                    rowColumns.Add(i);
                }
            // Any increasing order is a valid order for the triangular solve that produces row k.
            rowColumns.Sort(start, rowColumns.Count - start, null);
            rowStarts[k + 1] = rowColumns.Count;
        }
        LStarts = new int[order + 1];
        for (int j = 0; j < order; j++) LStarts[j + 1] = LStarts[j] + counts[j];
        RowStarts = rowStarts;
        RowColumns = rowColumns.ToArray();
        RowPositions = new int[RowColumns.Length];
        LRows = new int[LStarts[order]];
        var fill = LStarts[..order];
        for (int k = 0; k < order; k++)
            for (int t = rowStarts[k]; t < rowStarts[k + 1]; t++)
            {
                int q = fill[RowColumns[t]]++;
                RowPositions[t] = q;
                LRows[q] = k;
            }
        for (int j = 0; j < order; j++) FactorFlops += (long)counts[j] * counts[j];
    }

    /// <summary>The order N.</summary>
    public int Order { get; }

    /// <summary>Stored entries of K's upper triangle.</summary>
    public int Entries { get; }

    /// <summary>perm[k] = the original index eliminated k-th.</summary>
    public int[] Permutation { get; }

    /// <summary>The inverse permutation: Inverse[i] = the step at which original index i is eliminated.</summary>
    public int[] Inverse { get; }

    /// <summary>Whether permuted pivot k is expected positive.</summary>
    public bool[] Positive { get; }

    /// <summary>Column starts of the permuted upper triangle C.</summary>
    public int[] CStarts { get; }

    /// <summary>Row indices of C.</summary>
    public int[] CRows { get; }

    /// <summary>The elimination tree: the parent of each permuted column, −1 for a root.</summary>
    public int[] Parent { get; }

    /// <summary>Column starts of the strictly lower L (N + 1).</summary>
    public int[] LStarts { get; }

    /// <summary>Row indices of L, increasing within each column.</summary>
    public int[] LRows { get; }

    /// <summary>Row starts of L's row patterns (N + 1).</summary>
    public int[] RowStarts { get; }

    /// <summary>The columns of the entries of row k of L, increasing.</summary>
    public int[] RowColumns { get; }

    /// <summary>Where each entry of <see cref="RowColumns"/> sits in L's column storage.</summary>
    public int[] RowPositions { get; }

    /// <summary>Off-diagonal entries of L.</summary>
    public int FactorEntries => LStarts[Order];

    /// <summary>Σ (column count)²: the multiply–adds of one numeric factorisation, up to a small factor.</summary>
    public long FactorFlops { get; }

    /// <summary>The position in C's storage of the original entry <paramref name="entry"/> (its index in the given rows).</summary>
    public int PositionOf(int entry) => _entryPosition[entry];
}
