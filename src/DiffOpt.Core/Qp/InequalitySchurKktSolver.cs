using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// For strongly convex batches with fixed regularisation (ρ₀, δ₀): eliminates dy, then dx, and factorises the
/// m×m Schur complement
/// <code>
///   S = G H⁻¹ Gᵀ + W,    H = P + ρ₀I + AᵀA/δ₀,
/// </code>
/// where H's Cholesky factor and G H⁻¹ Gᵀ are computed once per solve (as qpth precomputes its Schur
/// complement). Each iteration then costs one m×m Cholesky and no n×n products; W enters additively, so the
/// active constraints (w → 0) keep S well scaled.
/// </summary>
internal sealed class InequalitySchurKktSolver : KktSolver
{
    private readonly Tensor _rho;        // (B,) fixed
    private readonly Tensor _delta;      // (B,) fixed
    private readonly Tensor _hFactor;    // (B|1,n,n) Cholesky factor of H
    private readonly Tensor _gHInv;      // (B|1,m,n) G H⁻¹ = (H⁻¹Gᵀ)ᵀ
    private readonly Tensor _gHInvGT;    // (B|1,m,m) G H⁻¹ Gᵀ
    private Tensor? _s;                  // (B,m,m) buffer: S, then its factor in place
    private Tensor? _sFactor;

    private InequalitySchurKktSolver(ScaledQp qp, NumericLimits limits, Tensor hFactor) : base(qp)
    {
        var b = qp.BatchSize;
        _rho = full(b, limits.RegularizationFloor, qp.C.dtype, qp.C.device);
        _delta = full(b, limits.SchurDualRegularization, qp.C.dtype, qp.C.device);
        _hFactor = hFactor;
        _gHInv = BatchedCholesky.SolveRows(_hFactor, qp.G);
        _gHInvGT = qp.G.matmul(_gHInv.transpose(-1, -2));
    }

    /// <summary>
    /// The solver, when the form suits the batch: the inequality block is not much larger than n (so the m×m
    /// factorisation is the cheaper one) and H = P + AᵀA/δ₀ + ρ₀I factorises with every pivot at least τ
    /// (<see cref="NumericLimits.StrongConvexity"/>), a cheap sign that H is well conditioned. Null otherwise;
    /// a batch that turns out badly conditioned anyway stalls and is re-solved by the adaptive form.
    /// Shared P, A, G (batch 1) give a shared H and G H⁻¹ Gᵀ, factorised once for the whole batch.
    /// </summary>
    public static InequalitySchurKktSolver? TryCreate(ScaledQp qp, NumericLimits limits)
    {
        if (qp.InequalityCount > 2 * qp.N) return null;
        var h = qp.A.transpose(-1, -2).matmul(qp.A).div_(limits.SchurDualRegularization).add_(qp.P);
        h.diagonal(0, -2, -1).add_(limits.RegularizationFloor);
        var (factor, failed) = BatchedCholesky.Factor(h, overwrite: true);
        var pivots = factor.diagonal(0, -2, -1);
        bool conditioned = !failed.any().item<bool>()
                           && (qp.N == 0 || (pivots * pivots).min().to_type(ScalarType.Float64).item<double>() >= limits.StrongConvexity);
        return conditioned ? new InequalitySchurKktSolver(qp, limits, factor) : null;
    }

    private InequalitySchurKktSolver(ScaledQp qp, Tensor rho, Tensor delta, Tensor hFactor, Tensor gHInv, Tensor gHInvGT) : base(qp)
    {
        _rho = rho; _delta = delta; _hFactor = hFactor; _gHInv = gHInv; _gHInvGT = gHInvGT;
    }

    public override KktSolver Select(Tensor index, ScaledQp qp) => new InequalitySchurKktSolver(qp,
        _rho.index_select(0, index), _delta.index_select(0, index), Batched.SelectItems(_hFactor, index),
        Batched.SelectItems(_gHInv, index), Batched.SelectItems(_gHInvGT, index));

    public override (Tensor Rho, Tensor Delta)? FixedRegularization => (_rho, _delta);

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        if (Qp.InequalityCount == 0)
        {
            Factored = new KktParameters(_rho, _delta, parameters.W);
            return zeros(Qp.BatchSize, dtype: ScalarType.Bool, device: Qp.C.device);
        }
        // One buffer serves every factorisation of the solve (the previous factor is no longer needed).
        _s ??= empty(Qp.BatchSize, Qp.InequalityCount, Qp.InequalityCount, _gHInvGT.dtype, _gHInvGT.device);
        _s.copy_(Batched.ExpandBatch(_gHInvGT, Qp.BatchSize));
        _s.diagonal(0, -2, -1).add_(parameters.W + staticShift.unsqueeze(-1));
        var (factor, failed) = CholeskyOrIdentity(_s);
        _sFactor = factor;
        Factored = new KktParameters(_rho, _delta, parameters.W + staticShift.unsqueeze(-1));
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        var p = Factored ?? throw new InvalidOperationException("Factor must be called before Solve.");
        var invDelta = Batched.PerItem(1.0 / _delta);
        var rhsX = rhs.X + Qp.ATy(rhs.Y * invDelta);
        var u = Batched.CholeskySolve(_hFactor, rhsX);
        var dz = Qp.InequalityCount == 0 ? zeros_like(rhs.Z) : Batched.CholeskySolve(_sFactor!, Qp.Gx(u) - rhs.Z);
        var dx = u - Batched.RowTimes(dz, _gHInv);
        var dy = (Qp.Ax(dx) - rhs.Y) * invDelta;
        return new KktVector(dx, dy, dz);
    }

    public override IEnumerable<Tensor> Tensors()
    {
        yield return _rho; yield return _delta; yield return _hFactor; yield return _gHInv; yield return _gHInvGT;
        if (_s is not null) yield return _s;
        if (_sFactor is not null) yield return _sFactor;
        if (Factored is not null) yield return Factored.W;
    }
}
