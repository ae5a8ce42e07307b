using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The reduced KKT system of one homogeneous interior-point iteration, per item dense (Clarabel's
/// <c>kktsystem.rs</c> with a batched dense LDLᵀ replaced by LU):
///     K = [P̂, Âᵀ; Â, −Hs],   factorised as K + diag(δI, −δI)  (quasi-definite for δ &gt; 0),
/// and solved with <see cref="RefinementSteps"/> steps of iterative refinement against K itself, so the static
/// regularisation δ does not bias the direction. Items marked unusable (finished, or with a non-finite K) are
/// replaced by the identity and their results must be ignored.
/// </summary>
internal sealed class HomogeneousKkt
{
    /// <summary>δ, the static regularisation of the factorised matrix (Clarabel's default constant).</summary>
    internal const double StaticRegularization = 1e-8;

    /// <summary>Refinement steps after each solve.</summary>
    internal const int RefinementSteps = 3;

    private readonly Tensor _matrix;
    private readonly Tensor _lu;
    private readonly Tensor _pivots;
    private readonly long _n;

    /// <summary>Assembles and factorises K for the scaled data and the scaling Hs; <paramref name="usable"/> (B,) bool.</summary>
    public HomogeneousKkt(ConeEquilibration data, CompositeScaling scaling, Tensor usable)
    {
        var a = data.A;
        long batch = a.shape[0], m = a.shape[1];
        _n = a.shape[2];
        var p = data.P ?? zeros(batch, _n, _n, dtype: a.dtype, device: a.device);
        var matrix = cat([cat([p, a.transpose(1, 2)], 2), cat([a, -scaling.DenseHs()], 2)], 1);
        var identity = eye(_n + m, dtype: a.dtype, device: a.device);
        Usable = usable & matrix.isfinite().flatten(1).all(1);
        _matrix = where(Usable.view(-1, 1, 1), matrix, identity.expand_as(matrix));
        var signs = cat([ones(_n, dtype: a.dtype, device: a.device), -ones(m, dtype: a.dtype, device: a.device)]);
        var (lu, pivots) = linalg.lu_factor(_matrix.Plus(diag(signs).Times(StaticRegularization)));
        _lu = lu;
        _pivots = pivots ?? throw new InvalidOperationException("lu_factor returned no pivots.");
    }

    /// <summary>(B,) bool: the items whose K was finite and that were asked for.</summary>
    public Tensor Usable { get; }

    /// <summary>(Δx, Δz) with K[Δx; Δz] = [top; bottom] for top (B, n) and bottom (B, m).</summary>
    public (Tensor X, Tensor Z) Solve(Tensor top, Tensor bottom)
    {
        var rhs = cat([top, bottom], 1).unsqueeze(2);
        var solution = linalg.lu_solve(_lu, _pivots, rhs);
        for (int step = 0; step < RefinementSteps; step++)
            solution = solution.Plus(linalg.lu_solve(_lu, _pivots, rhs - _matrix.matmul(solution)));
        var flat = solution.squeeze(2);
        return (flat.narrow(1, 0, _n), flat.narrow(1, _n, flat.shape[1] - _n));
    }
}
