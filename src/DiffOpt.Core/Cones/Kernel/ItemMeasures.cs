using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The stopping tests of <see cref="HomogeneousTermination"/> for one item on the CPU, on the original float64 data:
/// the residual measures of a point (x, y, s) and the infeasibility certificates read from the iterate.
/// </summary>
internal sealed class ItemMeasures(ItemProgram data, SolverTolerances tolerances)
{
    private readonly double[] _ax = new double[data.Rows];
    private readonly double[] _aty = new double[data.Variables];
    private readonly double[] _px = new double[data.Variables];

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
        int n = data.Variables, m = data.Rows;
        double primal = 0, ax = 0, dual = 0, px = 0, aty = 0;
        for (int i = 0; i < m; i++)
        {
            primal = Max(primal, Math.Abs(_ax[i] + s[i] - data.B[i]));
            ax = Max(ax, Math.Abs(_ax[i]));
        }
        double quadratic = SpanKernels.Dot(x, _px);
        for (int j = 0; j < n; j++)
        {
            dual = Max(dual, Math.Abs(_px[j] + _aty[j] + data.C[j]));
            px = Max(px, Math.Abs(_px[j]));
            aty = Max(aty, Math.Abs(_aty[j]));
        }
        double primalObjective = SpanKernels.Dot(data.C, x) + 0.5 * quadratic;
        double dualObjective = -SpanKernels.Dot(data.B, y) - 0.5 * quadratic;
        return (primal, dual, Math.Abs(primalObjective - dualObjective),
            Max(1, Max(ax, Max(SpanKernels.NormInf(s), SpanKernels.NormInf(data.B)))),
            Max(1, Max(px, Max(aty, SpanKernels.NormInf(data.C)))),
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
        return StatusRule.Finish(status, ResidualMeasures.Meets(measures, tolerances), ResidualMeasures.Meets(measures, tolerances, inaccurateFactor));
    }

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
        if (ResidualMeasures.Meets(Measured(x, y, s), tolerances)) return SolverStatus.Solved;
        int n = data.Variables, m = data.Rows;
        double eps = tolerances.Infeasibility;
        double yScale = costScale * tau, by = -yScale * SpanKernels.Dot(data.B, y);
        if (StatusRule.Certifies(by, yScale * SpanKernels.NormInf(_aty), eps * yScale * SpanKernels.NormInf(y), eps))
        {
            certificate = y.Select(v => yScale * v / by).ToArray();
            return SolverStatus.PrimalInfeasible;
        }
        double cx = -tau * SpanKernels.Dot(data.C, x);
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
        int n = data.Variables, m = data.Rows;
        Array.Clear(_aty);
        for (int i = 0; i < m; i++)
        {
            if (data.SparseA is { } sparse)
            {
                _ax[i] = sparse.Dot(i, x);
                if (!y.IsEmpty) sparse.AddScaled(i, y[i], _aty);
                continue;
            }
            var row = data.A!.AsSpan(i * n, n);
            _ax[i] = SpanKernels.Dot(row, x);
            if (!y.IsEmpty) SpanKernels.AddScaled(y[i], row, _aty);
        }
        if (data.SparseP is { } sparseP)
            for (int j = 0; j < n; j++) _px[j] = sparseP.Dot(j, x);
        else if (data.P is null) Array.Clear(_px);
        else
            for (int j = 0; j < n; j++) _px[j] = SpanKernels.Dot(data.P.AsSpan(j * n, n), x);
    }

    /// <summary>max that propagates NaN (as torch's maximum does).</summary>
    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);
}
