using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The products y = α·Âx + βy and y = α·Âᵀz + βy with one item's dense Â (m × n, row-major) on the dense KKT path,
/// where rows with at most one nonzero (bounds such as w ≥ 0 in the layers' programs, the empty first row of a
/// second-order cone t ≥ ‖x‖) are applied as scalars and only the other rows go through the dense product
/// (<see cref="DenseProducts"/>), packed. On the portfolio layer (72 × 60: 60 one-entry rows, one empty row) the
/// dense product then covers its 11 zero-cone rows. The split depends on Â's pattern and is made once per item
/// (<see cref="Bind(ItemProgram)"/>); an Â without such rows is multiplied in place. The same split serves P̂
/// (<see cref="Bind(ItemProgram, double[])"/>), whose empty rows are skipped: the portfolio layer's P̂ (60 × 60) has
/// nonzeros on the diagonal of its alias block only.
/// </summary>
internal sealed class DenseRows
{
    private readonly int _m, _n;
    private readonly bool _native;
    private readonly double[] _packed, _packedX, _packedY, _sparseValues;
    private readonly int[] _dense, _sparseRows, _sparseColumns, _rowColumns;
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
        (_dense, _sparseRows, _sparseColumns, _rowColumns) = (new int[m], new int[m], new int[m], new int[m]);
    }

    /// <summary>
    /// Row i of the bound matrix by its nonzeros: the column of its one nonzero, <see cref="EmptyRow"/> or
    /// <see cref="DenseRow"/> (two or more).
    /// </summary>
    public int RowColumn(int i) => _rowColumns[i];

    /// <summary>What <see cref="RowColumn"/> gives for a row without nonzeros.</summary>
    public const int EmptyRow = -1;

    /// <summary>What <see cref="RowColumn"/> gives for a row with two or more nonzeros.</summary>
    public const int DenseRow = -2;

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
        if (data.Reuses(_a, matrix))
        {
            _source = data;
            return;
        }
        int n = _n;
        _a = matrix;
        _denseCount = _sparseCount = 0;
        Classify(_a, _m, n, _rowColumns);
        for (int i = 0; i < _m; i++)
        {
            int column = _rowColumns[i];
            if (column == DenseRow) _dense[_denseCount++] = i;
            else if (column != EmptyRow)
            {
                (_sparseRows[_sparseCount], _sparseColumns[_sparseCount], _sparseValues[_sparseCount]) = (i, column, _a[i * n + column]);
                _sparseCount++;
            }
        }
        if (!InPlace)
            for (int r = 0; r < _denseCount; r++) _a.AsSpan(_dense[r] * n, n).CopyTo(_packed.AsSpan(r * n, n));
        _source = data;
    }

    /// <summary>
    /// Each row of the row-major m × n <paramref name="a"/> by its nonzeros into <paramref name="rowColumns"/>: the column
    /// of its one nonzero, <see cref="EmptyRow"/> or <see cref="DenseRow"/> (as <see cref="RowColumn"/>).
    /// </summary>
    internal static void Classify(ReadOnlySpan<double> a, int m, int n, Span<int> rowColumns)
    {
        for (int i = 0; i < m; i++)
        {
            int count = Nonzeros(a.Slice(i * n, n), out int column);
            rowColumns[i] = count > 1 ? DenseRow : column;
        }
    }

    /// <summary>The nonzeros of <paramref name="row"/> counted up to 2, and the column of the last one counted (−1 without).</summary>
    internal static int Nonzeros(ReadOnlySpan<double> row, out int column)
    {
        int count = 0, j = 0;
        column = -1;
        // Four entries at a time (NaN counts as nonzero, as in the scalar test).
        for (; j + 4 <= row.Length && count < 2; j += 4)
        {
            uint bits = ~Vector256.Equals(Vector256.Create<double>(row.Slice(j, 4)), Vector256<double>.Zero).ExtractMostSignificantBits() & 0xF;
            for (; bits != 0 && count < 2; bits &= bits - 1)
            {
                count++;
                column = j + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; j < row.Length && count < 2; j++)
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
        AddSingles(alpha, _sparseRows, _sparseColumns, x[.._n], y[.._m]);
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
        AddSingles(alpha, _sparseColumns, _sparseRows, z[.._m], y[.._n]);
    }

    /// <summary>
    /// y = α·Âx + y and w = α·Âᵀz + w with one pass over Â's dense rows (<see cref="SmallGemv.MultiplyBoth"/>), each
    /// entry rounded as by <see cref="Multiply"/> and <see cref="MultiplyTransposed"/>; the two calls where BLAS takes
    /// the products (managed loops, or matrices beyond <see cref="SmallGemv.MaxEntries"/>).
    /// </summary>
    public void MultiplyBoth(double alpha, ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> z, Span<double> w)
    {
        int dense = _denseCount;
        if (!_native || (long)dense * _n > SmallGemv.MaxEntries)
        {
            Multiply(alpha, x, 1, y);
            MultiplyTransposed(alpha, z, 1, w);
            return;
        }
        if (InPlace)
        {
            SmallGemv.MultiplyBoth(_a, _m, _n, alpha, x, 1, y, z, w);
            return;
        }
        if (dense > 0)
        {
            for (int r = 0; r < dense; r++) _packedX[r] = z[_dense[r]];
            SmallGemv.MultiplyBoth(_packed, dense, _n, alpha, x, 0, _packedY, _packedX, w);
            for (int r = 0; r < dense; r++) y[_dense[r]] += _packedY[r];
        }
        AddSingles(alpha, _sparseRows, _sparseColumns, x[.._n], y[.._m]);
        AddSingles(alpha, _sparseColumns, _sparseRows, z[.._m], w[.._n]);
    }

    /// <summary>
    /// y[to[k]] += α·(vₖ·x[from[k]]) over the rows with one nonzero, without bounds checks: the callers slice x and y
    /// to the matrix's shape (which throws where they are shorter), and <see cref="Bind(ItemProgram, double[])"/> took
    /// the indices within it.
    /// </summary>
    private void AddSingles(double alpha, int[] to, int[] from, ReadOnlySpan<double> x, Span<double> y)
    {
        int count = _sparseCount;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double ry = ref MemoryMarshal.GetReference(y);
        ref double rv = ref MemoryMarshal.GetArrayDataReference(_sparseValues);
        ref int rto = ref MemoryMarshal.GetArrayDataReference(to);
        ref int rfrom = ref MemoryMarshal.GetArrayDataReference(from);
        for (int k = 0; k < count; k++)
            Unsafe.Add(ref ry, Unsafe.Add(ref rto, k)) += alpha * (Unsafe.Add(ref rv, k) * Unsafe.Add(ref rx, Unsafe.Add(ref rfrom, k)));
    }
}
