using DiffOpt.Native;

namespace DiffOpt.Cones;

/// <summary>
/// The Gram sum GᵀG = Σᵢ gᵢgᵢᵀ of the reduced KKT matrix (<see cref="ItemKkt"/>, G = FᵀÂ, m × n) over the rows that
/// need a dense product: a zero-cone row adds nothing, and an orthant row whose Â row has a single nonzero Âᵢⱼ adds
/// only gᵢⱼ² to the diagonal entry (j, j) (bounds such as w ≥ 0 in the layers' programs). The other rows are packed
/// and multiplied by BLAS (<see cref="NativeBlas.GramLower"/>), so that the dgemm costs those rows only. The split
/// depends on Â's pattern and is made once per item, or once per batch when the items share Â
/// (<see cref="ItemProgram.IsShared"/>).
/// </summary>
internal sealed class GramRows
{
    private readonly KernelCone[] _cones;
    private readonly int _n;
    private readonly double[] _packed;
    private readonly List<int> _dense = [], _singleRows = [], _singleColumns = [];
    private ItemProgram? _source;
    private double[]? _matrix;   // the Â split

    /// <summary>Workspace for an item with the cones <paramref name="cones"/>, n variables and m rows.</summary>
    public GramRows(KernelCone[] cones, int n, int m)
    {
        _cones = cones;
        _n = n;
        _packed = new double[m * n];
    }

    /// <summary>Forgets the item whose row split is held (the next <see cref="Gram"/> makes it again).</summary>
    public void Reset() => _source = null;

    /// <summary>The lower triangle of GᵀG for <paramref name="data"/>'s Â into the row-major n × n <paramref name="k"/>.</summary>
    public void Gram(ItemProgram data, ReadOnlySpan<double> g, Span<double> k)
    {
        int n = _n;
        if (!ReferenceEquals(_source, data) && !(ReferenceEquals(_matrix, data.DenseScaledA) && data.IsShared(_matrix))) Split(data);
        for (int r = 0; r < _dense.Count; r++) g.Slice(_dense[r] * n, n).CopyTo(_packed.AsSpan(r * n, n));
        if (_dense.Count > 0) NativeBlas.GramLower(_packed, _dense.Count, n, n, outer: false, 1, 0, k, n);
        else k[..(n * n)].Clear();
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
                int count = DenseRows.Nonzeros(data.DenseScaledA.AsSpan(i * n, n), out int column);
                if (count > 1) _dense.Add(i);
                else if (count == 1)
                {
                    _singleRows.Add(i);
                    _singleColumns.Add(column);
                }
            }
        }
        _source = data;
        _matrix = data.DenseScaledA;
    }
}
