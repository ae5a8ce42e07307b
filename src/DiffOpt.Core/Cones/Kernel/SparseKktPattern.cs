using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The sparsity pattern of the full quasi-definite KKT matrix K = [P̂ + δI, Âᵀ; Â, −(Hs + δI)] (order n + m) of a
/// batch whose items share the pattern of A and P (the union over the items), with its symbolic factorisation
/// (<see cref="SparseLdlSymbolic"/>), built once per batch and shared by every item and iteration. Hs is block
/// diagonal: 1 × 1 blocks for the orthant (and 0 for the zero cone), 3 × 3 per exponential triple, one dense block
/// per second-order or PSD cone (a large second-order cone therefore fills its block; Clarabel's sparse expansion
/// with two extra rows per cone is not done here and the size rule of <see cref="Prefer"/> keeps such programs dense).
/// Equilibration scales rows and columns, so Â has A's pattern.
/// </summary>
internal sealed class SparseKktPattern
{
    /// <summary>What an entry of K's upper triangle holds.</summary>
    internal enum Source : byte
    {
        /// <summary>P̂ at <see cref="Index"/> (the entry's position in <see cref="PSupport"/>).</summary>
        P,

        /// <summary>Â at <see cref="Index"/>, the entry's position in A's nonzeros by rows (<see cref="ASupport"/>).</summary>
        A,

        /// <summary>−Hs at <see cref="Index"/> into the stacked blocks of <see cref="ScalingBlocks"/>.</summary>
        H,

        /// <summary>A structural diagonal entry with no data (only ±δ).</summary>
        None,
    }

    /// <summary>Builds the pattern for cones <paramref name="cones"/> with A's (m × n) and P's (n × n, or null) nonzero masks.</summary>
    public SparseKktPattern(KernelCone[] cones, int n, int m, bool[] aMask, bool[]? pMask)
    {
        Variables = n;
        Rows = m;
        BlockSizes = cones.Select(cone => cone.BlockSize).ToArray();
        BlockStarts = new int[cones.Length + 1];
        for (int k = 0; k < cones.Length; k++) BlockStarts[k + 1] = BlockStarts[k] + (cones[k].IsZero ? 0 : cones[k].Rows * BlockSizes[k]);
        var starts = new List<int> { 0 };
        var rows = new List<int>();
        var sources = new List<Source>();
        var indices = new List<int>();
        ASupport = Support(aMask, m, n);
        var aStarts = ASupport.Starts;
        PSupport = pMask is null ? null : Support(pMask, n, n);
        int PEntry(int j, int l) => Array.BinarySearch(PSupport!.Value.Columns, PSupport.Value.Starts[j], PSupport.Value.Starts[j + 1] - PSupport.Value.Starts[j], l);
        void Add(int row, Source source, int index)
        {
            rows.Add(row);
            sources.Add(source);
            indices.Add(index);
        }
        for (int j = 0; j < n; j++)
        {
            // Column j above the diagonal holds P̂'s row j (P is symmetric); where only (l, j) is in P's support, the
            // entry (j, l) read is 0 in every item.
            for (int l = 0; l < j; l++)
                if (pMask is not null && (pMask[j * n + l] || pMask[l * n + j]))
                {
                    if (pMask[j * n + l]) Add(l, Source.P, PEntry(j, l));
                    else Add(l, Source.None, 0);
                }
            if (pMask is not null && pMask[j * n + j]) Add(j, Source.P, PEntry(j, j));
            else Add(j, Source.None, 0);
            starts.Add(rows.Count);
        }
        for (int k = 0; k < cones.Length; k++)
        {
            var cone = cones[k];
            int r = BlockSizes[k];
            for (int i = cone.Offset; i < cone.Offset + cone.Rows; i++)
            {
                for (int e = aStarts[i]; e < aStarts[i + 1]; e++) Add(ASupport.Columns[e], Source.A, e);
                if (cone.IsZero) Add(n + i, Source.None, 0);
                else
                {
                    // Column i of the cone's block: rows from the block's first row to i; stored row-major per block.
                    int block = cone.Offset + (i - cone.Offset) / r * r;
                    for (int l = block; l <= i; l++) Add(n + l, Source.H, BlockStarts[k] + (block - cone.Offset) * r + (i - block) * r + (l - block));
                }
                starts.Add(rows.Count);
            }
        }
        ColumnStarts = starts.ToArray();
        EntryRows = rows.ToArray();
        Sources = sources.ToArray();
        Index = indices.ToArray();
        var positive = Enumerable.Range(0, n + m).Select(i => i < n).ToArray();
        Symbolic = new SparseLdlSymbolic(n + m, ColumnStarts, EntryRows, positive);
    }

    /// <summary>n.</summary>
    public int Variables { get; }

    /// <summary>A's nonzero mask by rows (row starts, m + 1, and column indices): the support at which items give Â's values.</summary>
    public (int[] Starts, int[] Columns) ASupport { get; }

    /// <summary>P's nonzero mask (the union over the items) by rows, n + 1 starts and column indices; null for P = 0.</summary>
    public (int[] Starts, int[] Columns)? PSupport { get; }

    /// <summary>One item's P (n × n row-major) by its values at <see cref="PSupport"/>; null for P = 0.</summary>
    public CompressedRows? SupportP(ReadOnlySpan<double> p)
    {
        if (PSupport is not { } support) return null;
        var values = new double[support.Columns.Length];
        for (int j = 0; j < Variables; j++)
            for (int e = support.Starts[j]; e < support.Starts[j + 1]; e++) values[e] = p[j * Variables + support.Columns[e]];
        return new CompressedRows(Variables, Variables, support.Starts, support.Columns, values);
    }

    /// <summary>A mask's (rows × columns) nonzeros by rows: row starts and column indices.</summary>
    private static (int[] Starts, int[] Columns) Support(bool[] mask, int rows, int columns)
    {
        var starts = new int[rows + 1];
        var indices = new List<int>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
                if (mask[i * columns + j]) indices.Add(j);
            starts[i + 1] = indices.Count;
        }
        return (starts, indices.ToArray());
    }

    /// <summary>m.</summary>
    public int Rows { get; }

    /// <summary>Each cone's scaling block size (1 for the orthant and the zero cone).</summary>
    public int[] BlockSizes { get; }

    /// <summary>Where each cone's blocks start in the stacked block storage (cones + 1 entries; zero cones take none).</summary>
    public int[] BlockStarts { get; }

    /// <summary>The upper triangle's column starts (n + m + 1).</summary>
    public int[] ColumnStarts { get; }

    /// <summary>The upper triangle's row indices.</summary>
    public int[] EntryRows { get; }

    /// <summary>What each entry holds.</summary>
    public Source[] Sources { get; }

    /// <summary>Where each entry's value comes from (see <see cref="Source"/>).</summary>
    public int[] Index { get; }

    /// <summary>The shared symbolic factorisation.</summary>
    public SparseLdlSymbolic Symbolic { get; }

    /// <summary>Length of the stacked scaling-block storage.</summary>
    public int ScalingBlocks => BlockStarts[^1];

    /// <summary>
    /// Whether the sparse path is expected to be faster than the dense reduced one (<see cref="ItemKkt"/>): its
    /// factorisation's multiply–adds Σ|L_j|² times <see cref="SparsePenalty"/> (indirect addressing in managed code)
    /// plus the triangular solves' entries, against the dense Gram m·n² plus the LDLᵀ (n + |E|)³/3 done with BLAS.
    /// </summary>
    public bool Prefer(int zeroRows)
    {
        double dense = (double)Rows * Variables * Variables + Math.Pow(Variables + zeroRows, 3) / 3;
        double sparse = SparsePenalty * (Symbolic.FactorFlops + 4.0 * (Symbolic.FactorEntries + Symbolic.Entries));
        return sparse < dense;
    }

    /// <summary>
    /// How much slower a sparse multiply–add is taken to be than a dense (BLAS) one. Measured on the layer cases once the
    /// dense path used BLAS (B = 64, 1 thread): at 8 the portfolio layer (n = 61, m = 73, dense P) went sparse and took
    /// 184 ms against 98 ms dense; at 32 it stays dense while the logistic layer (n = 321, m = 720, 1 % of A nonzero)
    /// stays sparse (1.7 s either way) and softmax is unchanged (57 ms).
    /// </summary>
    internal const double SparsePenalty = 32;

    /// <summary>The dense-or-sparse choice for a batch whose A (B · m · n entries) is an array.</summary>
    internal static SparseKktPattern? Choose(IReadOnlyList<Cone> cones, int batch, int m, int n, double[] a, double[]? p, KktPath path) =>
        path == KktPath.Dense ? null : Choose(cones, batch, m, n, NonzeroMask(DoubleView.Of(a), batch, m, n), p, path);

    /// <summary>The union over the <paramref name="batch"/> items of the nonzeros of A (B · m · n entries, row-major).</summary>
    internal static bool[] NonzeroMask(DoubleView a, int batch, int m, int n)
    {
        var aMask = new bool[m * n];
        for (int item = 0; item < batch; item++)
        {
            var entries = a.Slice((long)item * m * n, m * n);
            for (int e = 0; e < m * n; e++) aMask[e] |= entries[e] != 0;
        }
        return aMask;
    }

    /// <summary>
    /// The dense-or-sparse choice for a batch whose A has the nonzero mask <paramref name="aMask"/> (m × n, the union
    /// over the items): its pattern when the sparse path is preferred, else null.
    /// </summary>
    internal static SparseKktPattern? Choose(IReadOnlyList<Cone> cones, int batch, int m, int n, bool[] aMask, double[]? p, KktPath path)
    {
        if (path == KktPath.Dense || m + n == 0) return null;
        bool[]? pMask = null;
        if (p is not null)
        {
            pMask = new bool[n * n];
            int stride = p.Length == n * n ? 0 : n * n;
            for (int item = 0; item < (stride == 0 ? 1 : batch); item++)
                for (int e = 0; e < n * n; e++) pMask[e] |= p[item * stride + e] != 0;
        }
        return Chosen.GetOrAdd(cones, n, aMask, pMask, (int)path, () => Choose(cones, m, n, aMask, pMask, path));
    }

    /// <summary>The choices made so far, by structure (a layer's batches share one).</summary>
    private static readonly StructureCache<SparseKktPattern?> Chosen = new();

    /// <summary>The choice for the masks of A and P, made anew.</summary>
    private static SparseKktPattern? Choose(IReadOnlyList<Cone> cones, int m, int n, bool[] aMask, bool[]? pMask, KktPath path)
    {
        var kernelCones = HomogeneousItemSolver.Create(cones);
        // A pattern as dense as the matrix gains nothing and its minimum-degree ordering would cost a dense elimination.
        long nonzeros = aMask.Count(x => x) + (pMask?.Count(x => x) ?? 0);
        if (path == KktPath.Auto && nonzeros > 0.3 * ((long)m * n + (long)n * n)) return null;
        var pattern = new SparseKktPattern(kernelCones, n, m, aMask, pMask);
        int zeroRows = kernelCones.Where(c => c.IsZero).Sum(c => c.Rows);
        return path == KktPath.Sparse || pattern.Prefer(zeroRows) ? pattern : null;
    }
}

/// <summary>Which KKT factorisation the CPU cone kernel uses.</summary>
internal enum KktPath
{
    /// <summary>Sparse when <see cref="SparseKktPattern.Prefer"/> expects it to be faster.</summary>
    Auto,

    /// <summary>Always the dense reduced system (<see cref="ItemKkt"/>).</summary>
    Dense,

    /// <summary>Always the sparse full system (<see cref="SparseItemKkt"/>).</summary>
    Sparse,
}
