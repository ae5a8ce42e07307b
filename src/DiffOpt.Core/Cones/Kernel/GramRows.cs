using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The Gram sum GᵀG = Σᵢ gᵢgᵢᵀ of the reduced KKT matrix (<see cref="ItemKkt"/>, G = FᵀÂ, m × n) over the rows that
/// need a dense product: a zero-cone row adds nothing, and an orthant row whose Â row has a single nonzero Âᵢⱼ adds
/// only gᵢⱼ² to the diagonal entry (j, j) (bounds such as w ≥ 0 in the layers' programs). The other rows are packed,
/// and so are the columns where they can be nonzero (the union of their Â rows' supports: F is block diagonal by
/// cones, so a row of G mixes the Â rows of its own cone only). The portfolio layer's second-order cone touches 10 of
/// its 60 variables, so its Gram sum is 10 × 10 (<see cref="SmallGram"/>); a sum over every column is
/// <see cref="BlockedGram"/>'s for small items (<see cref="BlockedMultiplyAdds"/>), else BLAS's
/// (<see cref="NativeBlas.GramLower"/>). The split depends on Â's pattern and is made once per item, or once per
/// batch when the items share Â (<see cref="ItemProgram.IsShared"/>).
/// </summary>
internal sealed class GramRows
{
    private readonly KernelCone[] _cones;
    private readonly int _n;
    private readonly double[] _packed, _gram;
    private double[]? _square;           // the blocked kernel's padded GᵀG
    private readonly List<int> _dense = [], _singleRows = [], _singleColumns = [], _columns = [];
    private ItemProgram? _source;
    private double[]? _matrix;   // the Â split

    /// <summary>Workspace for an item with the cones <paramref name="cones"/>, n variables and m rows.</summary>
    public GramRows(KernelCone[] cones, int n, int m)
    {
        _cones = cones;
        _n = n;
        _packed = new double[m * BlockedGram.Padded(n)];
        _gram = new double[n * n];
    }

    /// <summary>
    /// Multiply–adds (rows · n²) up to which a sum over every column is formed by <see cref="BlockedGram"/> rather than
    /// by BLAS's dgemm, whose cache blocking pays off on larger matrices (not measured above the diffcp LP case's
    /// 100 × 50). The blocked kernel sums each entry in row order with fused multiply–adds, as MKL's dgemm does for most
    /// entries (on the exponential-cone case it differed in the last 8 × 8 block of GᵀG only), and it computes the lower
    /// triangle alone: on the diffcp exponential-cone case (40 × 20 rows) the solve's CPU time fell from 30.0 to 27.3 ms.
    /// The LP's x stays within 5e-13 of dgemm's (an item stops at a face of a vertex); the second-order, exponential,
    /// PSD and mixed cases' x moved by at most 3e-5, as much as MKL's own results move between its conditional
    /// numerical reproducibility mode (MKL_CBWR=AUTO) and its default one (2.6e-5, with 0.3 more iterations on the
    /// exponential case), which these sums no longer depend on.
    /// </summary>
    internal const long BlockedMultiplyAdds = 1 << 19;

    /// <summary>Forgets the item whose row split is held (the next <see cref="Gram"/> makes it again).</summary>
    public void Reset() => _source = null;

    /// <summary>
    /// The lower triangle of GᵀG for <paramref name="data"/>'s Â into the row-major n × n <paramref name="k"/>, for a G
    /// = FᵀÂ with F block diagonal by cones (the dense rows' entries outside their cones' Â columns are not read).
    /// </summary>
    public void Gram(ItemProgram data, ReadOnlySpan<double> g, Span<double> k)
    {
        if (!ReferenceEquals(_source, data) && !data.Reuses(_matrix, data.DenseScaledA)) Split(data);
        int n = _n, rows = _dense.Count, c = _columns.Count;
        if (rows > 0 && c == n && (long)rows * n * n <= BlockedMultiplyAdds)
        {
            // Rows padded with zeros to the blocked kernel's width, the sum into a padded square, its lower triangle into k.
            int padded = BlockedGram.Padded(n);
            for (int r = 0; r < rows; r++)
            {
                var target = _packed.AsSpan(r * padded, padded);
                g.Slice(_dense[r] * n, n).CopyTo(target);
                target[n..].Clear();
            }
            var square = _square ??= new double[padded * padded];
            BlockedGram.Lower(_packed, rows, n, square);
            for (int j = 0; j < n; j++) square.AsSpan(j * padded, j + 1).CopyTo(k.Slice(j * n, j + 1));
        }
        else if (rows > 0 && c == n)
        {
            for (int r = 0; r < rows; r++) g.Slice(_dense[r] * n, n).CopyTo(_packed.AsSpan(r * n, n));
            NativeBlas.GramLower(_packed, rows, n, n, outer: false, 1, 0, k, n);
        }
        else
        {
            k[..(n * n)].Clear();
            if (rows > 0)
            {
                for (int r = 0; r < rows; r++)
                {
                    var row = g.Slice(_dense[r] * n, n);
                    for (int a = 0; a < c; a++) _packed[r * c + a] = row[_columns[a]];
                }
                SmallGram.Lower(_packed, rows, c, outer: false, 1, _gram, c);
                for (int a = 0; a < c; a++)
                    for (int b = 0; b <= a; b++) k[_columns[a] * n + _columns[b]] = _gram[a * c + b];
            }
        }
        for (int r = 0; r < _singleRows.Count; r++)
        {
            int j = _singleColumns[r];
            double entry = g[_singleRows[r] * n + j];
            k[j * n + j] += entry * entry;
        }
    }

    private void Split(ItemProgram data)
    {
        int n = _n;
        _dense.Clear();
        _singleRows.Clear();
        _singleColumns.Clear();
        _columns.Clear();
        var a = data.DenseScaledA;
        foreach (var cone in _cones)
        {
            if (cone.IsZero) continue;
            for (int i = cone.Offset; i < cone.Offset + cone.Rows; i++)
            {
                if (cone is not KernelNonnegativeCone)
                {
                    _dense.Add(i);
                    continue;
                }
                int count = DenseRows.Nonzeros(a.AsSpan(i * n, n), out int column);
                if (count > 1) _dense.Add(i);
                else if (count == 1)
                {
                    _singleRows.Add(i);
                    _singleColumns.Add(column);
                }
            }
        }
        Span<bool> used = n <= 1024 ? stackalloc bool[n] : new bool[n];
        foreach (int i in _dense)
            for (int j = 0; j < n; j++) used[j] |= a[i * n + j] != 0;
        for (int j = 0; j < n; j++)
            if (used[j]) _columns.Add(j);
        _source = data;
        _matrix = data.DenseScaledA;
    }
}
