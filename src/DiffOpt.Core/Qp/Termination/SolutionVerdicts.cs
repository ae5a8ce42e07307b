using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.Native;

namespace DiffOpt.Qp;

/// <summary>
/// The verdicts of <see cref="SolutionResiduals"/> (<see cref="SolutionResiduals.Meets"/>, <see cref="SolutionResiduals.WorstRatio"/>,
/// <see cref="SolutionResiduals.NoiseLimited"/>) read on the host from the kernel's float64 table of measures
/// (<see cref="SolutionResidualsKernel.Measure"/>), one item at a time: the same float64 operations as the tensor
/// form (sums, products, quotients, maxima, comparisons, each rounded once), so the same values, for one tensor
/// where the tensor form takes some twenty small operations.
/// </summary>
internal static class SolutionVerdicts
{
    /// <summary>Whether the host form serves <paramref name="table"/>: a contiguous float64 CPU table.</summary>
    public static bool Serve(Tensor? table) =>
        table is not null && table.dtype == ScalarType.Float64 && table.device_type == DeviceType.CPU && table.is_contiguous();

    /// <summary>Per item: each residual plus its noise within tolerance × <paramref name="factor"/> and finite.</summary>
    public static Tensor Meets(Tensor table, SolverTolerances tol, double factor) =>
        Map(table, row => ResidualMeasures.Meets(WithNoise(row), tol, factor));

    /// <summary>Per item, the largest (residual + noise) / limit over the three measures.</summary>
    public static Tensor WorstRatio(Tensor table, SolverTolerances tol) => MapValues(table, row =>
    {
        var m = WithNoise(row);
        return Math.Max(m.Primal / Limit(m.PrimalScale, tol), Math.Max(m.Dual / Limit(m.DualScale, tol), m.Gap / Limit(m.GapScale, tol)));
    });

    /// <summary>Per item, some measure misses its limit with noise while its noise alone exceeds half the limit.</summary>
    public static Tensor NoiseLimited(Tensor table, SolverTolerances tol) => Map(table, row =>
    {
        static bool Limited(double residual, double noise, double limit) => residual + noise > limit && noise > 0.5 * limit;
        return Limited(row[(int)SolutionResidualsKernel.Measure.Primal], row[(int)SolutionResidualsKernel.Measure.PrimalNoise], Limit(row[(int)SolutionResidualsKernel.Measure.PrimalScale], tol))
               | Limited(row[(int)SolutionResidualsKernel.Measure.Dual], row[(int)SolutionResidualsKernel.Measure.DualNoise], Limit(row[(int)SolutionResidualsKernel.Measure.DualScale], tol))
               | Limited(row[(int)SolutionResidualsKernel.Measure.Gap], row[(int)SolutionResidualsKernel.Measure.GapNoise], Limit(row[(int)SolutionResidualsKernel.Measure.GapScale], tol));
    });

    /// <summary><see cref="ResidualMeasures.Limit"/>: the absolute tolerance, or the relative one × scale if larger.</summary>
    /// <summary>Per item, the primal, dual and gap measures (without noise) of a table that <see cref="Serve"/>s.</summary>
    public static (double[] Primal, double[] Dual, double[] Gap) Measures(Tensor table)
    {
        long items = table.size(0);
        var (primal, dual, gap) = (new double[items], new double[items], new double[items]);
        ForEachRow(table, (i, row) => (primal[i], dual[i], gap[i]) = (row[(int)SolutionResidualsKernel.Measure.Primal],
            row[(int)SolutionResidualsKernel.Measure.Dual], row[(int)SolutionResidualsKernel.Measure.Gap]));
        return (primal, dual, gap);
    }

    private static double Limit(double scale, SolverTolerances tol) => Math.Max(tol.Absolute, tol.Relative * scale);

    private static (double Primal, double Dual, double Gap, double PrimalScale, double DualScale, double GapScale) WithNoise(ReadOnlySpan<double> row) => (
        row[(int)SolutionResidualsKernel.Measure.Primal] + row[(int)SolutionResidualsKernel.Measure.PrimalNoise],
        row[(int)SolutionResidualsKernel.Measure.Dual] + row[(int)SolutionResidualsKernel.Measure.DualNoise],
        row[(int)SolutionResidualsKernel.Measure.Gap] + row[(int)SolutionResidualsKernel.Measure.GapNoise],
        row[(int)SolutionResidualsKernel.Measure.PrimalScale], row[(int)SolutionResidualsKernel.Measure.DualScale],
        row[(int)SolutionResidualsKernel.Measure.GapScale]);

    private delegate T RowFunction<T>(ReadOnlySpan<double> row);

    private static Tensor Map(Tensor table, RowFunction<bool> verdict)
    {
        var values = new bool[table.size(0)];
        ForEachRow(table, (i, row) => values[i] = verdict(row));
        return HostTensors.Of(values);
    }

    private static Tensor MapValues(Tensor table, RowFunction<double> value)
    {
        var values = new double[table.size(0)];
        ForEachRow(table, (i, row) => values[i] = value(row));
        return HostTensors.Of(values, ScalarType.Float64);
    }

    private delegate void RowAction(long item, ReadOnlySpan<double> row);

    private static unsafe void ForEachRow(Tensor table, RowAction action)
    {
        int count = (int)SolutionResidualsKernel.Measure.Count;
        double* data = NativeLapack.Data<double>(table);
        long items = table.size(0);
        for (long i = 0; i < items; i++) action(i, new ReadOnlySpan<double>(data + i * count, count));
        GC.KeepAlive(table);
    }
}
