using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The rows of one item's scaled Â (m × n, row-major) for the products of <see cref="HomogeneousItemSolver"/>'s
/// iteration: dense spans, or, on the sparse KKT path, the rows' nonzeros (compressed sparse rows built once per item),
/// so that Âx and Âᵀz cost the nonzeros rather than m·n.
/// </summary>
internal sealed class ItemRows
{
    private readonly double[] _dense;
    private readonly int _n;
    private readonly int[]? _starts, _columns;
    private readonly double[]? _values;

    /// <summary>The rows of <paramref name="a"/> (m × n); compressed when <paramref name="sparse"/>.</summary>
    public ItemRows(double[] a, int m, int n, bool sparse)
    {
        _dense = a;
        _n = n;
        if (!sparse) return;
        _starts = new int[m + 1];
        var columns = new List<int>();
        var values = new List<double>();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
                if (a[i * n + j] != 0)
                {
                    columns.Add(j);
                    values.Add(a[i * n + j]);
                }
            _starts[i + 1] = columns.Count;
        }
        _columns = columns.ToArray();
        _values = values.ToArray();
    }

    /// <summary>Âᵢ·x.</summary>
    public double Dot(int i, ReadOnlySpan<double> x)
    {
        if (_values is null) return SpanKernels.Dot(_dense.AsSpan(i * _n, _n), x);
        double sum = 0;
        for (int p = _starts![i]; p < _starts[i + 1]; p++) sum += _values[p] * x[_columns![p]];
        return sum;
    }

    /// <summary>target += alpha·Âᵢᵀ.</summary>
    public void AddScaled(int i, double alpha, Span<double> target)
    {
        if (_values is null)
        {
            SpanKernels.AddScaled(alpha, _dense.AsSpan(i * _n, _n), target);
            return;
        }
        for (int p = _starts![i]; p < _starts[i + 1]; p++) target[_columns![p]] += alpha * _values[p];
    }
}
