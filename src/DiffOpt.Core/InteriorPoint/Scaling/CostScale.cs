using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The cost factor σ of the equilibration (Clarabel's <c>equilibration.rs</c>): after the column scaling E,
/// σ = 1/clamp(max(‖Ec‖∞, mean_j ‖row j of EPE‖∞), <see cref="RuizSettings.MinNorm"/>, <see cref="RuizSettings.MaxNorm"/>),
/// and the scaled cost is σEc, σEPE. The dual variables then carry a factor 1/σ.
/// </summary>
internal static class CostScale
{
    /// <summary>σ per item from Ec (B, n) and EPE (B, n, n) or null.</summary>
    public static Tensor Of(Tensor scaledC, Tensor? scaledP, RuizSettings settings)
    {
        long batch = scaledC.size(0), n = scaledC.size(1);
        var cost = n == 0 ? ones(batch, dtype: scaledC.dtype, device: scaledC.device) : scaledC.abs().amax(1);
        if (scaledP is not null && n > 0) cost = maximum(cost, scaledP.abs().amax(2).mean([1]));
        return cost.Clamped(settings.MinNorm, settings.MaxNorm).Into(1.0);
    }

    /// <summary>σ of one item from Ec (n) and EPE (n × n row-major) or null.</summary>
    public static double Of(ReadOnlySpan<double> scaledC, ReadOnlySpan<double> scaledP, bool hasP, RuizSettings settings) =>
        Of(scaledC, hasP ? RowMaxSum(scaledP, scaledC.Length) : 0, hasP, settings);

    /// <summary>The sum over rows of EPE (n × n row-major) of ‖row‖∞, summed in row order: σ's share of P.</summary>
    public static double RowMaxSum(ReadOnlySpan<double> scaledP, int n)
    {
        double rowMaxSum = 0;
        for (int j = 0; j < n; j++) rowMaxSum += SpanKernels.NormInf(scaledP.Slice(j * n, n));
        return rowMaxSum;
    }

    /// <summary><see cref="RowMaxSum(ReadOnlySpan{double}, int)"/> of EPE by its nonzeros (the same value: zeros add nothing to a row's maximum).</summary>
    public static double RowMaxSum(CompressedRows scaledP)
    {
        double rowMaxSum = 0;
        for (int j = 0; j < scaledP.Rows; j++) rowMaxSum += SpanKernels.NormInf(scaledP.Values.AsSpan(scaledP.Starts[j], scaledP.Starts[j + 1] - scaledP.Starts[j]));
        return rowMaxSum;
    }

    /// <summary>σ from Ec and the sum of EPE's row maxima (of absolute values; <see cref="RowMaxSum(ReadOnlySpan{double}, int)"/>).</summary>
    public static double Of(ReadOnlySpan<double> scaledC, double rowMaxSum, bool hasP, RuizSettings settings)
    {
        int n = scaledC.Length;
        double cost = n == 0 ? 1 : 0;
        foreach (double value in scaledC) cost = Math.Max(cost, Math.Abs(value));
        if (hasP && n > 0) cost = Math.Max(cost, rowMaxSum / n);
        return 1 / Math.Clamp(cost, settings.MinNorm, settings.MaxNorm);
    }
}
