using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The stopping tests of <see cref="HomogeneousTermination"/> for one item on the CPU, on the original float64 data:
/// the residual measures of a point (x, y, s) and the infeasibility certificates read from the iterate. The rows of a
/// dense A and P with at most one nonzero (<see cref="DenseRows.Classify"/>: the layers' bounds, an alias block's
/// diagonal P) are applied as scalars, with the same roundings as their dot products, so that the tests of an
/// iteration cost such rows one multiplication instead of n. The buffers serve the items that a solver is rebound to
/// (<see cref="Bind"/>).
/// </summary>
internal sealed class ItemMeasures(int m, int n)
{
    private readonly double[] _ax = new double[m];
    private readonly double[] _aty = new double[n];
    private readonly double[] _px = new double[n];
    private readonly int[] _aRows = new int[m], _pRows = new int[n];   // DenseRows.RowColumn of the dense A and P
    private double[]? _classifiedA, _classifiedP;                       // the matrices _aRows and _pRows were read from
    private ItemProgram _data = null!;
    private SolverTolerances _tolerances;

    /// <summary>Measures the item <paramref name="item"/> with the tolerances <paramref name="itemTolerances"/> from now on.</summary>
    public void Bind(ItemProgram item, SolverTolerances itemTolerances)
    {
        if (item.Rows != m || item.Variables != n) throw new ArgumentException("The item's shape differs from the measures'.", nameof(item));
        (_data, _tolerances) = (item, itemTolerances);
        // A batch's shared A and P are classified once (ItemProgram.Reuses).
        if (item.SparseA is null && item.A is { } a && !item.Reuses(_classifiedA, a)) DenseRows.Classify(_classifiedA = a, m, n, _aRows);
        if (item.SparseP is null && item.P is { } p && !item.Reuses(_classifiedP, p)) DenseRows.Classify(_classifiedP = p, n, n, _pRows);
    }

    /// <summary>The measures: primal, dual, gap and their normalisers (<see cref="ResidualMeasures"/>).</summary>
    public (double Primal, double Dual, double Gap, double PrimalScale, double DualScale, double GapScale) Measure(
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> s)
    {
        Products(x, y);
        return Measured(x, y, s);
    }

    /// <summary>The measures of (x, y, s) from the products of the last <see cref="Products"/> call with x and y.</summary>
    private (double Primal, double Dual, double Gap, double PrimalScale, double DualScale, double GapScale) Measured(
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> s)
    {
        double primal = 0, ax = 0, dual = 0, px = 0, aty = 0;
        for (int i = 0; i < m; i++)
        {
            primal = Max(primal, Math.Abs(_ax[i] + s[i] - _data.B[i]));
            ax = Max(ax, Math.Abs(_ax[i]));
        }
        double quadratic = SpanKernels.Dot(x, _px);
        for (int j = 0; j < n; j++)
        {
            dual = Max(dual, Math.Abs(_px[j] + _aty[j] + _data.C[j]));
            px = Max(px, Math.Abs(_px[j]));
            aty = Max(aty, Math.Abs(_aty[j]));
        }
        double primalObjective = SpanKernels.Dot(_data.C, x) + 0.5 * quadratic;
        double dualObjective = -SpanKernels.Dot(_data.B, y) - 0.5 * quadratic;
        return (primal, dual, Math.Abs(primalObjective - dualObjective),
            Max(1, Max(ax, Max(SpanKernels.NormInf(s), SpanKernels.NormInf(_data.B)))),
            Max(1, Max(px, Max(aty, SpanKernels.NormInf(_data.C)))),
            Max(1, Math.Min(Math.Abs(primalObjective), Math.Abs(dualObjective))));
    }

    /// <summary>
    /// The status of an item that stops at (x, y, s) with <paramref name="status"/> (null: still running), by the shared
    /// rule (<see cref="StatusRule.Finish(SolverStatus?, bool, bool)"/>) with the relaxed factor <paramref name="inaccurateFactor"/>.
    /// </summary>
    public SolverStatus Finish(SolverStatus? status, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> s, double inaccurateFactor)
    {
        if (status is not (null or SolverStatus.NumericalError)) return status.Value;
        var measures = Measure(x, y, s);
        return StatusRule.Finish(status, ResidualMeasures.Meets(measures, _tolerances), ResidualMeasures.Meets(measures, _tolerances, inaccurateFactor));
    }

    /// <summary>
    /// How far the point of the last <see cref="Check"/> is from the tolerances: the largest measure / limit
    /// (<see cref="ResidualMeasures.WorstRatio(SolverTolerances)"/>), at most 1 when met; NaN when a measure is not finite.
    /// </summary>
    public double LastWorstRatio { get; private set; }

    /// <summary>
    /// The three stopping tests of one iteration at (x, y, s) = (Ex̂, Dẑ/σ, ŝ/D)/τ with one pass over A: whether the
    /// point is solved, else whether y·στ = Dẑ proves primal infeasibility (then <paramref name="certificate"/> holds
    /// it scaled to bᵀy = −1), else whether (x, s)·τ proves dual infeasibility (then <paramref name="rayX"/>,
    /// <paramref name="rayS"/> hold the ray scaled to cᵀx = −1). The certificates reuse Ax, Aᵀy and Px, which scale linearly.
    /// </summary>
    public SolverStatus? Check(double[] x, double[] y, double[] s, double tau, double costScale, out double[]? certificate,
        out double[]? rayX, out double[]? rayS)
    {
        certificate = rayX = rayS = null;
        Products(x, y);
        var measures = Measured(x, y, s);
        LastWorstRatio = ResidualMeasures.WorstRatio(measures, _tolerances);
        if (ResidualMeasures.Meets(measures, _tolerances)) return SolverStatus.Solved;
        double eps = _tolerances.Infeasibility;
        double yScale = costScale * tau, by = -yScale * SpanKernels.Dot(_data.B, y);
        if (StatusRule.Certifies(by, yScale * SpanKernels.NormInf(_aty), eps * yScale * SpanKernels.NormInf(y), eps))
        {
            certificate = y.Select(v => yScale * v / by).ToArray();
            return SolverStatus.PrimalInfeasible;
        }
        double cx = -tau * SpanKernels.Dot(_data.C, x);
        double residual = tau * SpanKernels.NormInf(_px);
        for (int i = 0; i < m; i++) residual = Max(residual, tau * Math.Abs(_ax[i] + s[i]));
        if (StatusRule.Certifies(cx, residual, eps * tau * Math.Max(SpanKernels.NormInf(x), SpanKernels.NormInf(s)), eps))
        {
            rayX = x.Select(v => tau * v / cx).ToArray();
            rayS = s.Select(v => tau * v / cx).ToArray();
            return SolverStatus.DualInfeasible;
        }
        return null;
    }

    /// <summary>Ax, Px and (when y is given) Aᵀy into the buffers.</summary>
    private void Products(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Array.Clear(_aty);
        if (_data.SparseA is { } sparse)
            for (int i = 0; i < m; i++)
            {
                _ax[i] = sparse.Dot(i, x);
                if (!y.IsEmpty) sparse.AddScaled(i, y[i], _aty);
            }
        else
            for (int i = 0; i < m; i++)
            {
                int column = _aRows[i];
                if (column == DenseRows.DenseRow)
                {
                    var row = _data.A!.AsSpan(i * n, n);
                    _ax[i] = SpanKernels.Dot(row, x);
                    if (!y.IsEmpty) SpanKernels.AddScaled(y[i], row, _aty);
                }
                else if (column == DenseRows.EmptyRow) _ax[i] = 0;
                else
                {
                    double entry = _data.A![i * n + column];
                    _ax[i] = entry * x[column];
                    if (!y.IsEmpty) _aty[column] += y[i] * entry;
                }
            }
        if (_data.SparseP is { } sparseP)
            for (int j = 0; j < n; j++) _px[j] = sparseP.Dot(j, x);
        else if (_data.P is null) Array.Clear(_px);
        else
            for (int j = 0; j < n; j++)
            {
                int column = _pRows[j];
                _px[j] = column == DenseRows.DenseRow ? SpanKernels.Dot(_data.P.AsSpan(j * n, n), x)
                    : column == DenseRows.EmptyRow ? 0 : _data.P[j * n + column] * x[column];
            }
    }

    /// <summary>max that propagates NaN (as torch's maximum does).</summary>
    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);
}
