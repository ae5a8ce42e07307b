using DiffOpt.Native;
using DiffOpt.Numerics;
using TorchSharp;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// LU factorisations with partial pivoting of a batch of dense float64 CPU matrices (B, N, N), one LAPACK call per
/// item and items in parallel (<see cref="BatchParallel"/>), with each item's reciprocal condition number in the
/// 1-norm estimated by Hager's method (Higham, "Accuracy and Stability of Numerical Algorithms", 2002, §15.3:
/// a lower bound on ‖A⁻¹‖₁ from a few solves, usually within a factor 3 of it). Avoids libtorch's batched SVD,
/// which the singularity test would otherwise need.
/// </summary>
internal sealed class BatchedLu
{
    /// <summary>Iterations of Hager's estimator at most.</summary>
    internal const int EstimatorSteps = 5;

    private readonly double[] _factors;   // per item, column-major LU
    private readonly int[] _pivots;
    private readonly int _n;

    /// <summary>Whether the routine serves <paramref name="matrix"/> (CPU float64, LAPACK found, kernels allowed).</summary>
    public static bool Serves(torch.Tensor matrix) => NativeLu.IsAvailable && !KernelSwitch.TensorPathOnly
        && matrix.device_type == DeviceType.CPU && matrix.dtype == torch.ScalarType.Float64 && matrix.shape[1] > 0;

    /// <summary>Factorises every item of the (B, N, N) float64 CPU <paramref name="matrix"/>.</summary>
    public BatchedLu(torch.Tensor matrix)
    {
        int batch = (int)matrix.shape[0];
        _n = (int)matrix.shape[1];
        int n = _n, size = n * n;
        var values = TensorCopy.ToDoubles(matrix);
        _factors = new double[batch * size];
        _pivots = new int[batch * n];
        ReciprocalCondition = new double[batch];
        BatchParallel.ForEachItem(batch, item =>
        {
            int i = (int)item;
            var source = values.AsSpan(i * size, size);
            var factors = _factors.AsSpan(i * size, size);
            double norm = 0;
            for (int column = 0; column < n; column++)
            {
                double sum = 0;
                for (int row = 0; row < n; row++)
                {
                    factors[column * n + row] = source[row * n + column];
                    sum += Math.Abs(source[row * n + column]);
                }
                norm = Math.Max(norm, sum);
            }
            int info = NativeLu.Factor(factors, _pivots.AsSpan(i * n, n), n);
            ReciprocalCondition[i] = info != 0 || !(norm > 0) ? 0 : 1 / (norm * InverseNormEstimate(i));
            if (!double.IsFinite(ReciprocalCondition[i])) ReciprocalCondition[i] = 0;
        });
    }

    /// <summary>Per item, the estimate of 1/(‖A‖₁‖A⁻¹‖₁) (0 for an exactly singular or non-finite item).</summary>
    public double[] ReciprocalCondition { get; }

    /// <summary>Overwrites the rows of <paramref name="rhs"/> (B × N, row-major) with A⁻¹r (or A⁻ᵀr) per item; items in <paramref name="skip"/> get 0.</summary>
    public void Solve(double[] rhs, bool transpose, bool[] skip)
    {
        int n = _n;
        BatchParallel.ForEachItem(skip.Length, item =>
        {
            int i = (int)item;
            var b = rhs.AsSpan(i * n, n);
            if (skip[i]) b.Clear();
            else NativeLu.Solve(_factors.AsSpan(i * n * n, n * n), _pivots.AsSpan(i * n, n), n, b, transpose);
        });
    }

    /// <summary>Hager's lower bound on ‖A⁻¹‖₁ for item <paramref name="i"/>.</summary>
    private double InverseNormEstimate(int i)
    {
        int n = _n;
        var factors = _factors.AsSpan(i * n * n, n * n);
        var pivots = _pivots.AsSpan(i * n, n);
        var x = new double[n];
        var z = new double[n];
        Array.Fill(x, 1.0 / n);
        double estimate = 0;
        int previous = -1;
        for (int step = 0; step < EstimatorSteps; step++)
        {
            NativeLu.Solve(factors, pivots, n, x, transpose: false);
            double norm = 0;
            foreach (double v in x) norm += Math.Abs(v);
            if (step > 0 && norm <= estimate) break;
            estimate = norm;
            for (int k = 0; k < n; k++) z[k] = x[k] >= 0 ? 1 : -1;
            NativeLu.Solve(factors, pivots, n, z, transpose: true);
            int best = 0;
            for (int k = 1; k < n; k++)
                if (Math.Abs(z[k]) > Math.Abs(z[best])) best = k;
            // zᵀx for the current x (e_previous, or the uniform start) bounds what another step can gain.
            double zx = previous < 0 ? z.Sum() / n : z[previous];
            if (step > 0 && Math.Abs(z[best]) <= zx) break;
            Array.Clear(x);
            x[best] = 1;
            previous = best;
        }
        return estimate;
    }
}
