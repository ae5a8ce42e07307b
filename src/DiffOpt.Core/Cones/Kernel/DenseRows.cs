namespace DiffOpt.Cones;

/// <summary>
/// The products y = α·Âx + βy and y = α·Âᵀz + βy with one item's dense Â (m × n, row-major) on the dense KKT path,
/// where rows with at most one nonzero (bounds such as w ≥ 0 in the layers' programs, the empty first row of a
/// second-order cone t ≥ ‖x‖) are applied as scalars and only the other rows go through the dense product
/// (<see cref="DenseProducts"/>), packed. On the portfolio layer (72 × 60, 50 one-entry rows and one empty row) the
/// dense product then covers 21 of its 72 rows. The split depends on Â's pattern and is made once per item
/// (<see cref="Bind(ItemProgram)"/>); an Â without such rows is multiplied in place. The same split serves P̂
/// (<see cref="Bind(ItemProgram, double[])"/>), whose empty rows are skipped: the portfolio layer's P̂ (60 × 60) has
/// nonzeros on the diagonal of its alias block only.
/// </summary>
internal sealed class DenseRows
{
    private readonly int _m, _n;
    private readonly bool _native;
    private readonly double[] _packed, _packedX, _packedY, _sparseValues;
    private readonly int[] _dense, _sparseRows, _sparseColumns;
    private int _denseCount, _sparseCount;
    private double[] _a = [];
    private ItemProgram? _source;

    /// <summary>Workspace for an m × n Â, multiplied by BLAS when <paramref name="native"/> (<see cref="DenseProducts"/>).</summary>
    public DenseRows(int m, int n, bool native)
    {
        (_m, _n, _native) = (m, n, native);
        _packed = new double[m * n];
        _packedX = new double[m];
        _packedY = new double[m];
        _sparseValues = new double[m];
        (_dense, _sparseRows, _sparseColumns) = (new int[m], new int[m], new int[m]);
    }

    /// <summary>Whether every row goes through the dense product (no row has fewer than two nonzeros).</summary>
    private bool InPlace => _denseCount == _m;

    /// <summary>Reads <paramref name="data"/>'s Â and splits its rows, unless it is the item already bound.</summary>
    public void Bind(ItemProgram data) => Bind(data, data.DenseScaledA);

    /// <summary>
    /// Reads <paramref name="matrix"/> (m × n row-major, a matrix of <paramref name="data"/>) and splits its rows,
    /// unless <paramref name="data"/> is the item already bound or <paramref name="matrix"/> is the batch's shared
    /// matrix already bound (<see cref="ItemProgram.IsShared"/>).
    /// </summary>
    public void Bind(ItemProgram data, double[] matrix)
    {
        if (ReferenceEquals(_source, data)) return;
        if (ReferenceEquals(_a, matrix) && data.IsShared(matrix))
        {
            _source = data;
            return;
        }
        int n = _n;
        _a = matrix;
        _denseCount = _sparseCount = 0;
        for (int i = 0; i < _m; i++)
        {
            var row = _a.AsSpan(i * n, n);
            int count = Nonzeros(row, out int column);
            if (count > 1) _dense[_denseCount++] = i;
            else if (count == 1)
            {
                (_sparseRows[_sparseCount], _sparseColumns[_sparseCount], _sparseValues[_sparseCount]) = (i, column, row[column]);
                _sparseCount++;
            }
        }
        if (!InPlace)
            for (int r = 0; r < _denseCount; r++) _a.AsSpan(_dense[r] * n, n).CopyTo(_packed.AsSpan(r * n, n));
        _source = data;
    }

    /// <summary>The nonzeros of <paramref name="row"/> counted up to 2, and the column of the last one counted (−1 without).</summary>
    internal static int Nonzeros(ReadOnlySpan<double> row, out int column)
    {
        int count = 0;
        column = -1;
        for (int j = 0; j < row.Length && count < 2; j++)
            if (row[j] != 0)
            {
                count++;
                column = j;
            }
        return count;
    }

    /// <summary>y = α·Âx + β·y (β = 0 ignores y's contents).</summary>
    public void Multiply(double alpha, ReadOnlySpan<double> x, double beta, Span<double> y)
    {
        if (InPlace)
        {
            DenseProducts.Multiply(_a, _m, _n, transpose: false, alpha, x, beta, y, _native);
            return;
        }
        if (beta == 0) y[.._m].Clear();
        else if (beta != 1) for (int i = 0; i < _m; i++) y[i] *= beta;
        int dense = _denseCount;
        if (dense > 0)
        {
            DenseProducts.Multiply(_packed, dense, _n, transpose: false, alpha, x, 0, _packedY, _native);
            for (int r = 0; r < dense; r++) y[_dense[r]] += _packedY[r];
        }
        for (int k = 0; k < _sparseCount; k++) y[_sparseRows[k]] += alpha * (_sparseValues[k] * x[_sparseColumns[k]]);
    }

    /// <summary>y = α·Âᵀz + β·y (β = 0 ignores y's contents).</summary>
    public void MultiplyTransposed(double alpha, ReadOnlySpan<double> z, double beta, Span<double> y)
    {
        if (InPlace)
        {
            DenseProducts.Multiply(_a, _m, _n, transpose: true, alpha, z, beta, y, _native);
            return;
        }
        int dense = _denseCount;
        if (dense > 0)
        {
            for (int r = 0; r < dense; r++) _packedX[r] = z[_dense[r]];
            DenseProducts.Multiply(_packed, dense, _n, transpose: true, alpha, _packedX, beta, y, _native);
        }
        else if (beta == 0) y[.._n].Clear();
        else if (beta != 1) for (int j = 0; j < _n; j++) y[j] *= beta;
        for (int k = 0; k < _sparseCount; k++) y[_sparseColumns[k]] += alpha * (_sparseValues[k] * z[_sparseRows[k]]);
    }
}
