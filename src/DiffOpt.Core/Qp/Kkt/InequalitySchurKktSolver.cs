using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// For strongly convex batches with fixed regularisation (ρ₀, δ₀): eliminates dy, then dx, and factorises the
/// m×m Schur complement
/// <code>
///   S = G H⁻¹ Gᵀ + W,    H = P + ρ₀I + AᵀA/δ₀,
/// </code>
/// where H = LLᵀ, V = G L⁻ᵀ and G H⁻¹ Gᵀ = V Vᵀ are computed once per solve (as qpth precomputes its Schur
/// complement). Each iteration then costs one m×m Cholesky and no n×n products; W enters additively, so the
/// active constraints (w → 0) keep S well scaled. On the CPU the solves run in <see cref="SchurSolveKernel"/>.
/// </summary>
internal sealed class InequalitySchurKktSolver : KktSolver
{
    private readonly Tensor _rho;        // (B,) fixed
    private readonly Tensor _delta;      // (B,) fixed
    private readonly Tensor _hFactor;    // (B|1,n,n) Cholesky factor L of H
    private readonly Tensor _v;          // (B|1,m,n) V = G L⁻ᵀ
    private readonly Tensor _gHInvGT;    // (B|1,m,m) G H⁻¹ Gᵀ = V Vᵀ
    private readonly Tensor _inverseDelta; // (B,) 1/δ
    private readonly bool _usesKernels;
    private readonly BufferLease? _buffers; // where S is kept across calls (QpWorkspace), or null
    private Tensor? _s;                  // (B,m,m) buffer: S, then its factor in place
    private Tensor? _sFactor;

    /// <summary>The name under which <see cref="PhaseTimer"/> books this form's factorisations.</summary>
    internal const string SchurFactorisationPhase = "KKT factorisation (m × m Schur complement)";

    /// <summary>
    /// The name under which <see cref="PhaseTimer"/> books the first half of the once-per-solve work: H = P + ρ₀I +
    /// ÃᵀÃ/δ₀ and its Cholesky factor L (<see cref="Partition"/>).
    /// </summary>
    internal const string HessianPhase = "Schur form set-up: H and its factor";

    /// <summary>The name under which <see cref="PhaseTimer"/> books the second half: V = G L⁻ᵀ and V Vᵀ (the constructor).</summary>
    internal const string RowsPhase = "Schur form set-up: V = G L⁻ᵀ and V Vᵀ";

    /// <inheritdoc/>
    public override string FactorisationPhase => SchurFactorisationPhase;

    private InequalitySchurKktSolver(ScaledQp qp, NumericLimits limits, Tensor hFactor, BufferLease? buffers) : base(qp)
    {
        _buffers = buffers;
        var b = qp.BatchSize;
        _rho = ScalarSafeOperations.With(limits.RegularizationFloor, s => full(b, s, qp.C.dtype, qp.C.device));
        _delta = ScalarSafeOperations.With(limits.SchurDualRegularization, s => full(b, s, qp.C.dtype, qp.C.device));
        _hFactor = hFactor;
        using var phase = PhaseTimer.Measure(RowsPhase, b);
        _v = BatchedCholesky.SolveLowerRows(_hFactor, qp.G, buffers is null ? null
            : BufferLease.Empty(buffers, (int)QpBuffer.SchurRows, [Math.Max(hFactor.size(0), qp.G.size(0)), qp.G.size(-2), qp.G.size(-1)], qp.G.dtype, qp.G.device));
        _gHInvGT = Gram(_v, buffers);
        _inverseDelta = _delta.Into(1.0);
        _usesKernels = KernelsApply();
    }

    /// <summary>V Vᵀ per item, in <paramref name="buffers"/> when given and <see cref="BatchProducts"/> serves.</summary>
    private static Tensor Gram(Tensor v, BufferLease? buffers)
    {
        if (buffers is not null && IsLarge(v.size(0) * v.size(1) * v.size(1), v))
        {
            var destination = BufferLease.Empty(buffers, (int)QpBuffer.SchurGram, [v.size(0), v.size(1), v.size(1)], v.dtype, v.device);
            if (BatchProducts.Gram(v, destination)) return destination;
        }
        return v.matmul(v.transpose(-1, -2));
    }

    /// <summary>
    /// Whether a product of <paramref name="entries"/> entries of <paramref name="like"/>'s dtype is large enough that
    /// keeping it in a workspace pays (<see cref="FreshPages.MinimumBytes"/>); smaller ones come from the allocator's heap.
    /// </summary>
    private static bool IsLarge(long entries, Tensor like) => entries * like.ElementSize >= FreshPages.MinimumBytes;

    /// <summary>
    /// The solver, when the form suits every item of the batch (see <see cref="Partition"/>); null otherwise.
    /// </summary>
    public static InequalitySchurKktSolver? TryCreate(ScaledQp qp, NumericLimits limits)
    {
        var (served, factor) = Partition(qp, limits);
        return factor is not null && served.all().item<bool>() ? new InequalitySchurKktSolver(qp, limits, factor, buffers: null) : null;
    }

    /// <summary>
    /// Which items the form serves, decided for each item on its own data: the inequality block is not much larger
    /// than n (so the m×m factorisation is the cheaper one) and H = P + AᵀA/δ₀ + ρ₀I factorises with every pivot
    /// at least τ (<see cref="NumericLimits.StrongConvexity"/>), a cheap sign that H is well conditioned. Returns the
    /// (B,) mask and the factor of H (B|1,n,n; null when m &gt; 2n) for <see cref="Create"/>; an item that turns out
    /// badly conditioned anyway stalls and is re-solved by the adaptive form. Shared P and A (batch 1) give a shared
    /// H, so the whole batch is served or not. H and its factor are written to <paramref name="buffers"/> when given.
    /// </summary>
    public static (Tensor Served, Tensor? Factor) Partition(ScaledQp qp, NumericLimits limits, BufferLease? buffers = null)
    {
        if (qp.InequalityCount > 2 * qp.N) return (zeros(qp.BatchSize, dtype: ScalarType.Bool, device: qp.C.device), null);
        using var phase = PhaseTimer.Measure(HessianPhase, qp.BatchSize);
        var h = EqualityGram(qp, limits, buffers);
        h = h.size(0) >= qp.P.size(0) ? h.PlusInPlace(qp.P) : h.Plus(qp.P);
        var diagonal = h.diagonal(0, -2, -1);
        ScalarSafeOperations.With(limits.RegularizationFloor, s => diagonal.add_(s, ScalarSafeOperations.One));
        var (factor, failed) = BatchedCholesky.Factor(h, overwrite: true);
        var served = ~failed;
        if (qp.N > 0)
        {
            var pivots = factor.diagonal(0, -2, -1);
            served = served & (pivots * pivots).amin(-1).GreaterOrEqual(limits.StrongConvexity);
        }
        return (served.expand(qp.BatchSize), factor);
    }

    /// <summary>
    /// ÃᵀÃ/δ₀ per item, formed as (Ãᵀ/δ₀)·Ã; in <paramref name="buffers"/> when given, Ã is per item and
    /// <see cref="BatchProducts"/> serves.
    /// </summary>
    private static Tensor EqualityGram(ScaledQp qp, NumericLimits limits, BufferLease? buffers)
    {
        var scaledT = qp.A.transpose(-1, -2).DividedBy(limits.SchurDualRegularization);
        long batch = qp.A.size(0), n = qp.N;
        if (buffers is not null && batch == qp.BatchSize && IsLarge(batch * n * n, qp.A))
        {
            var destination = BufferLease.Empty(buffers, (int)QpBuffer.SchurHessian, [batch, n, n], qp.A.dtype, qp.A.device);
            // Ãᵀ/δ₀ holds Ã/δ₀ in Ã's layout (an elementwise result keeps its operand's strides).
            if (BatchProducts.TransposedProduct(scaledT.transpose(-1, -2), qp.A, destination)) return destination;
        }
        return scaledT.matmul(qp.A);
    }

    /// <summary>
    /// The solver for <paramref name="qp"/> with the factor of H from <see cref="Partition"/> (its items, in order); V and S
    /// are kept in <paramref name="buffers"/> when given.
    /// </summary>
    public static InequalitySchurKktSolver Create(ScaledQp qp, NumericLimits limits, Tensor hFactor, BufferLease? buffers = null) =>
        new(qp, limits, hFactor, buffers);

    private InequalitySchurKktSolver(ScaledQp qp, Tensor rho, Tensor delta, Tensor hFactor, Tensor v, Tensor gHInvGT) : base(qp)
    {
        _rho = rho; _delta = delta; _hFactor = hFactor; _v = v; _gHInvGT = gHInvGT;
        _inverseDelta = _delta.Into(1.0);
        _usesKernels = KernelsApply();
    }

    public override KktSolver Select(Tensor index, ScaledQp qp) => new InequalitySchurKktSolver(qp,
        _rho.index_select(0, index), _delta.index_select(0, index), Batched.SelectItems(_hFactor, index),
        Batched.SelectItems(_v, index), Batched.SelectItems(_gHInvGT, index));

    public override (Tensor Rho, Tensor Delta)? FixedRegularization => (_rho, _delta);

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        if (Qp.InequalityCount == 0)
        {
            Factored = new KktParameters(_rho, _delta, parameters.W);
            return zeros(Qp.BatchSize, dtype: ScalarType.Bool, device: Qp.C.device);
        }
        // One buffer serves every factorisation of the solve (the previous factor is no longer needed).
        _s ??= BufferLease.Empty(_buffers, (int)QpBuffer.SchurComplement, [Qp.BatchSize, Qp.InequalityCount, Qp.InequalityCount], _gHInvGT.dtype, _gHInvGT.device);
        // Without a shift (the host sees it is zero) the diagonal is W itself (W + 0 = W: its entries are positive).
        var diagonal = HostValues.AllZero(staticShift) ? parameters.W : parameters.W.Plus(staticShift.unsqueeze(-1));
        var (factor, failed) = BatchedCholesky.FactorShifted(_gHInvGT, diagonal, _s);
        _sFactor = factor;
        Factored = new KktParameters(_rho, _delta, diagonal);
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        if (Factored is null) throw new InvalidOperationException("Factor must be called before Solve.");
        return _usesKernels ? SolveWithKernel(rhs) : SolveBatched(rhs);
    }

    /// <summary>The solve as batched tensor products (any device); the same steps as <see cref="SchurSolveKernel"/>.</summary>
    internal KktVector SolveBatched(KktVector rhs)
    {
        var invDelta = Batched.PerItem(_inverseDelta);
        var t = BatchedCholesky.SolveLower(_hFactor, rhs.X.Plus(Qp.ATy(rhs.Y * invDelta)));
        var dz = Qp.InequalityCount == 0 ? zeros_like(rhs.Z) : Batched.CholeskySolve(_sFactor!, Batched.RowTimes(t, _v.transpose(-1, -2)) - rhs.Z);
        var dx = BatchedCholesky.SolveLowerTransposed(_hFactor, t - Batched.RowTimes(dz, _v));
        var dy = (Qp.Ax(dx) - rhs.Y) * invDelta;
        return new KktVector(dx, dy, dz);
    }

    /// <summary>
    /// Whether the CPU kernels (<see cref="SchurSolveKernel"/>, <see cref="MehrotraStepKernel"/>) serve this solver:
    /// CPU float32/float64 operands of one dtype, contiguous, with tensor data pointers available.
    /// </summary>
    private bool KernelsApply()
    {
        var operands = new[] { _hFactor, _v, Qp.A, _inverseDelta };
        return NativeLapack.Serves(_hFactor) && operands.All(t => t.dtype == _hFactor.dtype && t.is_contiguous());
    }

    /// <summary>True when the solves and <see cref="MehrotraStep"/> run in the CPU kernels.</summary>
    internal bool UsesKernels => _usesKernels;

    /// <summary>The solve in <see cref="SchurSolveKernel"/> (see <see cref="KernelsApply"/> for when it applies).</summary>
    internal unsafe KktVector SolveWithKernel(KktVector rhs)
    {
        var (rx, ry, rz) = (Dense.Of(rhs.X), Dense.Of(rhs.Y), Dense.Of(rhs.Z));
        var (dx, dy, dz) = (empty_like(rx), empty_like(ry), empty_like(rz));
        var sFactor = SFactorForKernel();
        long batch = rx.size(0);
        if (_hFactor.dtype == ScalarType.Float64)
            SchurSolveKernel.Solve(Operator<double>(sFactor), batch, NativeLapack.Data<double>(rx), NativeLapack.Data<double>(ry), NativeLapack.Data<double>(rz),
                NativeLapack.Data<double>(dx), NativeLapack.Data<double>(dy), NativeLapack.Data<double>(dz));
        else
            SchurSolveKernel.Solve(Operator<float>(sFactor), batch, NativeLapack.Data<float>(rx), NativeLapack.Data<float>(ry), NativeLapack.Data<float>(rz),
                NativeLapack.Data<float>(dx), NativeLapack.Data<float>(dy), NativeLapack.Data<float>(dz));
        GC.KeepAlive(sFactor); GC.KeepAlive(rx); GC.KeepAlive(ry); GC.KeepAlive(rz);
        return new KktVector(dx, dy, dz);
    }

    /// <summary>The accurate solves in <see cref="SchurRefinementKernel"/>, item by item (only when <see cref="UsesKernels"/>).</summary>
    protected override (KktVector Solution, double[] Norms)? RefineItems(KktParameters target, KktVector rhs, double[] limit,
        RefinementRule rule)
    {
        if (!_usesKernels || Factored is null) return null;
        var solution = new KktVector(empty_like(rhs.X), empty_like(rhs.Y), empty_like(rhs.Z));
        var norms = new double[limit.Length];
        var sFactor = SFactorForKernel();
        if (_hFactor.dtype == ScalarType.Float64) Refine<double>(sFactor, target, rhs, solution, limit, rule, norms);
        else Refine<float>(sFactor, target, rhs, solution, limit, rule, norms);
        GC.KeepAlive(sFactor); GC.KeepAlive(target); GC.KeepAlive(rhs);
        return (solution, norms);
    }

    private unsafe void Refine<T>(Tensor sFactor, KktParameters target, KktVector rhs, KktVector solution, double[] limit,
        RefinementRule rule, double[] norms) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        long batch = rhs.X.size(0);
        var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(checked((int)(batch * SchurRefinementKernel.ScratchPerItem(Qp.N, Qp.EqualityCount, Qp.InequalityCount))));
        try
        {
            fixed (T* s = scratch)
                SchurRefinementKernel.Solve(Operator<T>(sFactor), RefinementResiduals.OperatorOf<T>(Qp, target), batch,
                    new ItemVector<T>(NativeLapack.Data<T>(rhs.X), NativeLapack.Data<T>(rhs.Y), NativeLapack.Data<T>(rhs.Z)),
                    new ItemVector<T>(NativeLapack.Data<T>(solution.X), NativeLapack.Data<T>(solution.Y), NativeLapack.Data<T>(solution.Z)),
                    limit, rule, norms, s);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Mehrotra's predictor-corrector step from <paramref name="it"/> with the current factorisation, in
    /// <see cref="MehrotraStepKernel"/> (only when <see cref="UsesKernels"/>): regularised residuals
    /// <paramref name="residuals"/>, complementarity means <paramref name="mu"/> (B), fraction to the boundary τ.
    /// </summary>
    internal unsafe QpIterate MehrotraStep(QpIterate it, KktVector residuals, Tensor mu, double tau)
    {
        if (!_usesKernels || Factored is null) throw new InvalidOperationException("MehrotraStep needs the CPU kernels and a factorisation.");
        var current = new QpIterate(Dense.Of(it.X), Dense.Of(it.Y), Dense.Of(it.Z), Dense.Of(it.S));
        var r = new KktVector(Dense.Of(residuals.X), Dense.Of(residuals.Y), Dense.Of(residuals.Z));
        var next = new QpIterate(empty_like(current.X), empty_like(current.Y), empty_like(current.Z), empty_like(current.S));
        long batch = current.X.size(0), n = Qp.N, m = Qp.InequalityCount, p = Qp.EqualityCount;
        int scratchLength = checked((int)(batch * (n + p + 5 * m)));
        var means = Dense.Of(mu.dtype == _hFactor.dtype ? mu : mu.to_type(_hFactor.dtype));
        var sFactor = SFactorForKernel();
        if (_hFactor.dtype == ScalarType.Float64) Step(Operator<double>(sFactor), batch, current, r, means, tau, next, scratchLength);
        else Step(Operator<float>(sFactor), batch, current, r, means, (float)tau, next, scratchLength);
        GC.KeepAlive(current); GC.KeepAlive(r); GC.KeepAlive(next); GC.KeepAlive(means); GC.KeepAlive(sFactor);
        return next;
    }

    /// <summary>Runs <see cref="MehrotraStepKernel.Step{T}"/> with its scratch in a pooled managed array (a tensor would cost a libtorch result per step).</summary>
    private static unsafe void Step<T>(SchurSolveKernel.Operator<T> op, long batch, QpIterate current, KktVector r, Tensor means, T tau, QpIterate next,
        int scratchLength) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(scratchLength);
        try
        {
            fixed (T* s = scratch)
                MehrotraStepKernel.Step(op, batch, BatchPoint<T>.Of(current), BatchPoint<T>.Of(r), NativeLapack.Data<T>(means), tau, BatchPoint<T>.Of(next), s);
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    private Tensor SFactorForKernel() => _sFactor is null ? empty(1, 0, 0, _hFactor.dtype) : Dense.Of(_sFactor);

    private unsafe SchurSolveKernel.Operator<T> Operator<T>(Tensor sFactor) where T : unmanaged =>
        new(BatchMatrices<T>.Of(_hFactor), BatchMatrices<T>.Of(_v), BatchMatrices<T>.Of(sFactor), BatchMatrices<T>.Of(Qp.A), NativeLapack.Data<T>(_inverseDelta));

    public override IEnumerable<Tensor> Tensors()
    {
        yield return _rho; yield return _delta; yield return _hFactor; yield return _v; yield return _gHInvGT; yield return _inverseDelta;
        if (_s is not null) yield return _s;
        if (_sFactor is not null) yield return _sFactor;
        if (Factored is not null) yield return Factored.W;
    }
}
