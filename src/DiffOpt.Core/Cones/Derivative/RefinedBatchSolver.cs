using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Solves J·z = r or Jᵀ·z = r for a batch of dense square matrices J (B, N, N), factorised once, with one step of
/// iterative refinement and each item's relative residual ‖J·z − r‖∞ / ‖r‖∞. An item whose J is numerically
/// singular (smallest singular value at most <see cref="SingularRatio"/> times the largest) is solved in the
/// least-squares sense instead, with the pseudo-inverse J⁺ (minimum-norm least squares; (J⁺)ᵀ = (Jᵀ)⁺, so the
/// transposed solve stays the adjoint of the plain one); it is flagged in <see cref="Singular"/> and never yields NaN.
/// The other items use a batched LU factorisation with partial pivoting. Works in J's dtype and device. On the CPU in
/// float64 (<see cref="BatchedLu"/>) the singularity test uses a 1-norm condition estimate instead of the singular values:
/// 1/(‖J‖₁‖J⁻¹‖₁) ≤ <see cref="SingularRatio"/>, which agrees with σ_min/σ_max up to a factor N.
/// </summary>
internal sealed class RefinedBatchSolver : IDerivativeSolver
{
    /// <summary>
    /// σ_min / σ_max at or below which J counts as singular (condition number 10¹²: an LU solution would keep
    /// at most about four correct digits in float64). Also the pseudo-inverse's cut-off for small singular values.
    /// </summary>
    public const double SingularRatio = 1e-12;

    private readonly Tensor? _matrix;
    private readonly DerivativeSystem? _system;
    private readonly double[][] _pseudoRows = [];
    private readonly ZeroRowMinimumNorm?[] _zeroRow = [];
    private readonly Tensor? _lu;
    private readonly Tensor? _pivots;
    private readonly BatchedLu? _native;
    private readonly bool[] _singularItems = [];
    private readonly Tensor? _pseudoInverse;

    /// <summary>Factorises every item of <paramref name="matrix"/> (B, N, N), float32 or float64.</summary>
    public RefinedBatchSolver(Tensor matrix)
    {
        _matrix = matrix;
        long n = matrix.shape[1];
        if (BatchedLu.Serves(matrix))
        {
            // CPU: one LAPACK LU per item and a condition estimate instead of the batched SVD (the costly part).
            _native = new BatchedLu(matrix);
            _singularItems = _native.ReciprocalCondition.Select(r => !(r > SingularRatio)).ToArray();
            Singular = tensor(_singularItems, device: matrix.device);
        }
        else
        {
            var sigma = linalg.svdvals(matrix);
            Singular = n == 0
                ? zeros(matrix.shape[0], dtype: ScalarType.Bool, device: matrix.device)
                : sigma.select(1, n - 1) <= sigma.select(1, 0).Times(SingularRatio);
            var flag = Singular.view(-1, 1, 1);
            var identity = eye(n, dtype: matrix.dtype, device: matrix.device).expand_as(matrix);
            var (lu, pivots) = linalg.lu_factor(where(flag, identity, matrix));
            _lu = lu;
            _pivots = pivots ?? throw new InvalidOperationException("lu_factor returned no pivots.");
        }
        if (Singular.any().item<bool>())
        {
            var items = nonzero(Singular).view(-1);
            var pseudo = linalg.pinv(matrix.index_select(0, items), SingularRatio);
            _pseudoInverse = zeros_like(matrix).index_copy(0, items, pseudo);
        }
    }

    /// <summary>
    /// Factorises the items of a CPU <paramref name="system"/> one at a time (<see cref="BatchedLu"/> with a condition
    /// estimate), never forming the batch's dense J; refinement and residuals apply J matrix-free. Same results as the
    /// tensor constructor on the dense J.
    /// </summary>
    public RefinedBatchSolver(DerivativeSystem system)
    {
        _system = system;
        int n = system.Order;
        _native = new BatchedLu(system.Batch, n, system.Fill);
        _singularItems = _native.ReciprocalCondition.Select(r => !(r > SingularRatio)).ToArray();
        Singular = tensor(_singularItems);
        _pseudoRows = new double[system.Batch][];
        _zeroRow = new ZeroRowMinimumNorm?[system.Batch];
        for (int i = 0; i < system.Batch; i++)
        {
            if (!_singularItems[i]) continue;
            var dense = new double[n * n];
            system.Fill(i, dense);
            // Singular only through zero rows (the usual case in canonicalised problems): a Cholesky, not an SVD.
            if ((_zeroRow[i] = ZeroRowMinimumNorm.TryCreate(dense, n)) is not null) continue;
            using var scope = NewDisposeScope();
            _pseudoRows[i] = Native.TensorCopy.ToDoubles(linalg.pinv(tensor(dense, dtype: ScalarType.Float64).view(n, n), SingularRatio));
        }
    }

    /// <summary>(B,) bool: the items solved in the least-squares sense because their J is singular.</summary>
    public Tensor Singular { get; }

    /// <summary>
    /// z with J·z = r (or Jᵀ·z = r when <paramref name="transpose"/>) for r (B, N), refined once, and each item's
    /// relative residual ‖J·z − r‖∞ / ‖r‖∞ after refinement (0 when r = 0), (B,). For a singular item z is the
    /// minimum-norm least-squares solution and the residual measures how far r is from J's range.
    /// </summary>
    public (Tensor Solution, Tensor Residual) Solve(Tensor r, bool transpose)
    {
        if (_system is not null) return SolveSystem(r, transpose);
        var solution = SolveOnce(r, transpose);
        solution = solution.Plus(SolveOnce(r - Multiply(solution, transpose), transpose));
        var scale = r.abs().amax(1);
        var error = (r - Multiply(solution, transpose)).abs().amax(1);
        var residual = where(scale.gt(ScalarSafeOperations.Zero), error / scale.AtLeast(double.Epsilon), zeros_like(scale));
        return (solution, residual);
    }

    /// <summary><see cref="Solve"/> for a CPU <see cref="DerivativeSystem"/>: item by item, in managed arrays.</summary>
    private (Tensor Solution, Tensor Residual) SolveSystem(Tensor r, bool transpose)
    {
        var system = _system!;
        int n = system.Order, batch = system.Batch;
        var rhs = Native.TensorCopy.ToDoubles(r);
        var solution = new double[rhs.Length];
        var residuals = new double[batch];
        Numerics.BatchParallel.ForEachLongItem(batch, index =>
        {
            int i = (int)index;
            var b = rhs.AsSpan(i * n, n);
            var z = solution.AsSpan(i * n, n);
            var work = new double[2 * n];
            var residual = work.AsSpan(0, n);
            SolveItem(i, b, z, transpose);
            // One refinement step: z += J⁻¹(r − Jz); then the final residual.
            system.Multiply(i, z, residual, transpose, work.AsSpan(n));
            for (int k = 0; k < n; k++) residual[k] = b[k] - residual[k];
            var correction = new double[n];
            SolveItem(i, residual, correction, transpose);
            for (int k = 0; k < n; k++) z[k] += correction[k];
            system.Multiply(i, z, residual, transpose, work.AsSpan(n));
            double error = 0, scale = 0;
            for (int k = 0; k < n; k++)
            {
                error = Math.Max(error, Math.Abs(b[k] - residual[k]));
                scale = Math.Max(scale, Math.Abs(b[k]));
            }
            residuals[i] = scale > 0 ? error / scale : 0;
        });
        return (tensor(solution, dtype: ScalarType.Float64, device: r.device).view(r.shape),
            tensor(residuals, dtype: ScalarType.Float64, device: r.device));
    }

    /// <summary>z = J⁻¹b (or J⁻ᵀb) for one item of the system: its LU, or J⁺ where J is singular.</summary>
    private void SolveItem(int item, ReadOnlySpan<double> b, Span<double> z, bool transpose)
    {
        int n = _system!.Order;
        if (_zeroRow.Length > 0 && _zeroRow[item] is { } minimumNorm)
        {
            minimumNorm.Solve(b, z, transpose);
            return;
        }
        if (_singularItems[item])
        {
            // (J⁺)ᵀ = (Jᵀ)⁺, so the transposed solve applies J⁺'s transpose.
            Native.NativeBlas.Gemv(_pseudoRows[item], n, n, n, transpose, 1, b, 0, z);
            return;
        }
        b.CopyTo(z);
        _native!.SolveItem(item, z, transpose);
    }

    /// <summary>J·z (or Jᵀ·z) per item for z (B, N).</summary>
    private Tensor Multiply(Tensor z, bool transpose) =>
        (transpose ? _matrix!.transpose(1, 2) : _matrix!).matmul(z.unsqueeze(2)).squeeze(2);

    /// <summary>One solve without refinement: LU for the regular items, J⁺ (or (J⁺)ᵀ) for the singular ones.</summary>
    private Tensor SolveOnce(Tensor r, bool transpose)
    {
        var column = r.unsqueeze(2);
        Tensor solution;
        if (_native is not null)
        {
            var values = Native.TensorCopy.ToDoubles(r);
            _native.Solve(values, transpose, _singularItems);
            solution = tensor(values, dtype: ScalarType.Float64, device: r.device).view(r.shape);
        }
        else solution = linalg.lu_solve(_lu!, _pivots!, column, adjoint: transpose).squeeze(2);
        if (_pseudoInverse is null) return solution;
        var leastSquares = (transpose ? _pseudoInverse.transpose(1, 2) : _pseudoInverse).matmul(column).squeeze(2);
        return where(Singular.unsqueeze(1), leastSquares, solution);
    }
}
