using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The work the active-set path (<see cref="ActiveSetDerivativeSolver"/>) is expected to do on a batch, in the units of
/// <see cref="SparseDerivativeSolver.TryCreate(IReadOnlyList{Cone}, SparseBatchMatrix, long, Tensor?, IConeOperator, Func{long[], Tensor, Tensor}, bool, bool)"/>'s
/// cost rule (dense multiply–adds), counted from what <see cref="ActiveSetItem"/> does with each item's D: the
/// reduced system's factorisation (Bunch–Kaufman LDLᵀ, order³/6, or the square form's LU, |R|³/3), and the dense
/// A (and P) it reads in every refinement step; a second-order, PSD or exponential block of D that is neither 0 nor I
/// is reduced in its eigenbasis (<see cref="DerivativeEigenbasis"/>), counted as r kept rows (no eigenvalue taken as 0)
/// plus the rotation of its rows of A (r²n) and its eigenvectors (at most about 10·r³); an item with any other such block
/// costs the full LU (n + m)³/3.
/// </summary>
internal static class ActiveSetCost
{
    /// <summary>
    /// The summed cost of the <paramref name="batch"/> items of <paramref name="d"/> (blocks read) with A's nonzero mask
    /// <paramref name="aMask"/> (m × n row-major, the union over the items) and a nonzero P or none.
    /// </summary>
    public static double Of(DerivativeBlocks d, long batch, int n, bool[] aMask, bool hasP)
    {
        int m = d.Rows, storage = d.Storage[^1];
        var single = SingleColumns(aMask, m, n);
        // Per item: reading A (and P) densely into J's products, once per refinement step of each solve.
        double reads = 4.0 * ((double)m * n + (hasP ? (double)n * n : 0));
        double full = Math.Pow(n + m, 3) / 3;
        var diagonal = new double[m];
        double total = 0;
        for (long item = 0; item < batch; item++)
        {
            double rotation = Diagonal(d, d.Values.AsSpan((int)(item * storage), storage), diagonal, n);
            if (double.IsNaN(rotation))
            {
                total += full + reads;
                continue;
            }
            var (order, square) = Order(diagonal, single, n, hasP);
            total += (square ? Math.Pow(order, 3) / 3 : Math.Pow(order, 3) / 6) + 4.0 * order * order + reads + rotation;
        }
        return total;
    }

    /// <summary>For each row of the m × n mask, the column of its only nonzero, or −1 when it has none or several.</summary>
    public static int[] SingleColumns(bool[] mask, int m, int n)
    {
        var single = new int[m];
        for (int i = 0; i < m; i++)
        {
            single[i] = -1;
            int count = 0;
            for (int j = 0; j < n; j++)
                if (mask[i * n + j] && count++ == 0) single[i] = j;
            if (count != 1) single[i] = -1;
        }
        return single;
    }

    /// <summary>
    /// The order of the system <see cref="ActiveSetItem"/> factorises for D's diagonal <paramref name="diagonal"/>, A's
    /// rows' single columns <paramref name="single"/> (<see cref="SingleColumns"/>) and n variables, and whether it
    /// is the square form: its classification of the rows into I, B and K' (see its remarks).
    /// </summary>
    public static (int Order, bool Square) Order(ReadOnlySpan<double> diagonal, int[] single, int n, bool hasP)
    {
        var taken = new bool[n];
        int kept = 0, bound = 0;
        bool unit = true;
        for (int i = 0; i < diagonal.Length; i++)
        {
            if (diagonal[i] == 0) continue;
            if (diagonal[i] == 1 && single[i] >= 0 && !taken[single[i]])
            {
                taken[single[i]] = true;
                bound++;
                continue;
            }
            kept++;
            unit &= diagonal[i] == 1;
        }
        int free = n - bound;
        bool square = kept == free && !hasP && unit;
        return (square ? free : free + kept, square);
    }

    /// <summary>
    /// D's diagonal from one item's blocks where each is diagonal, or exactly 0 or I (as <see cref="DerivativeSystem.TryDiagonal"/>),
    /// with ½ (a kept row) on the rows of a rotatable block (<see cref="DerivativeBlocks.Rotatable"/>); returns the cost
    /// of rotating those blocks into their eigenbasis, or NaN when some other block is general (the item goes to the
    /// full LU).
    /// </summary>
    private static double Diagonal(DerivativeBlocks d, ReadOnlySpan<double> values, Span<double> diagonal, int n)
    {
        double rotation = 0;
        for (int k = 0; k < d.Starts.Length; k++)
        {
            int r = d.Sizes[k];
            var block = values.Slice(d.Storage[k], r * r);
            if (r == 1) diagonal[d.Starts[k]] = block[0];
            else if (DerivativeSystem.ZeroOrIdentity(block, r) is { } identity) diagonal.Slice(d.Starts[k], r).Fill(identity ? 1 : 0);
            else if (!d.Rotatable[k]) return double.NaN;
            else
            {
                diagonal.Slice(d.Starts[k], r).Fill(0.5);
                rotation += (double)r * r * n + 10.0 * r * r * r;
            }
        }
        return rotation;
    }
}
