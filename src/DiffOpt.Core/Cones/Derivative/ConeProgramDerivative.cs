using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The derivative of the solution map (A, b, c, P) ↦ (x, y, s) of a batch of cone programs
/// minimize cᵀx + ½xᵀPx s.t. Ax + s = b, s ∈ K (SCS's convention) at a given solution, through the normal map
/// (docs/CONES.md, "Derivative and adjoint through the normal map"). With v = y − s the solution solves
/// F(x, v) = [Px + AᵀΠ_K*(v) + c; Ax + Π_K*(v) − v − b] = 0, whose Jacobian in (x, v) is
/// J = [P, AᵀD; A, D − I] with D = DΠ_K*(v). J is factorised once per item; <see cref="Forward"/> and
/// <see cref="Adjoint"/> then cost one refined solve each. For sparse CPU data J is put in a symmetric quasi-definite form
/// and factorised sparsely (<see cref="SparseDerivativeSolver"/>) unless the active-set path below is expected to cost
/// less (<see cref="ActiveSetCost"/>); otherwise, on the CPU in float64, J is assembled and
/// reduced one item at a time from A, P and D's blocks (<see cref="DerivativeSystem"/>) to the active-set system of
/// <see cref="ActiveSetDerivativeSolver"/> (in the eigenbasis of D's second-order and exponential blocks), with J applied matrix-free;
/// elsewhere it is formed densely ((B, n + m, n + m)) in tensors.
/// </summary>
/// <remarks>
/// Everything is computed in float64 on the data's device whatever the data's dtype (float32 data are widened
/// once; J is small and dense, and its solve is where float32 loses digits); results come back in the data's dtype.
/// An item whose J is singular (a degenerate point: not strictly complementary, or a non-unique solution) gets the
/// minimum-norm least-squares solution and is flagged in <see cref="LeastSquares"/>; results are never NaN. The
/// tensors live in the dispose scope that was current at construction. Arguments that require grad are detached.
/// </remarks>
internal sealed class ConeProgramDerivative
{
    private readonly ConeProgramArguments _layout;
    private readonly bool _sharedA;
    private readonly bool _sharedP;
    private readonly bool _hasP;
    private readonly Tensor _x;        // (B, n)
    private readonly Tensor _y;        // (B, m)
    private readonly IConeOperator? _d; // D = DΠ_K*(y − s); null when m = 0
    private readonly IDerivativeSolver _solver;

    /// <summary>Forms and factorises J at the solution (x, y, s) of the programs with data (A, b, c, P).</summary>
    /// <param name="cones">The cones of K in row order; their rows must add up to A's m.</param>
    /// <param name="A">(B, m, n), or (m, n) shared by the items.</param>
    /// <param name="b">(B, m); fixes B, the dtype (float32 or float64) and the device of every other argument.</param>
    /// <param name="c">(B, n).</param>
    /// <param name="P">(B, n, n), or (n, n) shared, symmetric positive semidefinite; null for P = 0.</param>
    /// <param name="x">The primal solution, (B, n).</param>
    /// <param name="y">The dual solution, (B, m), in K*.</param>
    /// <param name="s">The slack, (B, m), in K with sᵀy = 0.</param>
    /// <exception cref="ArgumentException">
    /// An argument is null (except P), has the wrong shape, batch size, dtype or device, or the cones do not cover
    /// m rows; ParamName names it.
    /// </exception>
    public ConeProgramDerivative(IReadOnlyList<Cone> cones, Tensor A, Tensor b, Tensor c, Tensor? P, Tensor x, Tensor y, Tensor s)
        : this(cones, ConeProgramArguments.Of(A, b), A, null, c, P, x, y, s)
    {
    }

    /// <summary>
    /// Forms and factorises J for A held sparsely (values (B, k), or (k) shared, in b's dtype and on its device): the
    /// sparse solver reads A's values where it serves the data; the dense A is formed only for the dense solvers, and
    /// for the sparse solver's fallback only for the items that fall back.
    /// </summary>
    /// <inheritdoc cref="ConeProgramDerivative(IReadOnlyList{Cone}, Tensor, Tensor, Tensor, Tensor?, Tensor, Tensor, Tensor)"/>
    public ConeProgramDerivative(IReadOnlyList<Cone> cones, SparseBatchMatrix A, Tensor b, Tensor c, Tensor? P, Tensor x, Tensor y, Tensor s)
        : this(cones, SparseLayout(A, b), null, A, c, P, x, y, s)
    {
    }

    /// <summary>The shared body of the constructors: A is <paramref name="denseA"/> or <paramref name="sparseA"/>.</summary>
    private ConeProgramDerivative(IReadOnlyList<Cone> cones, ConeProgramArguments layout, Tensor? denseA, SparseBatchMatrix? sparseA, Tensor c,
        Tensor? P, Tensor x, Tensor y, Tensor s)
    {
        _layout = layout;
        CompositeCone.Validate(cones, _layout.Rows);
        long m = _layout.Rows, n = _layout.Variables, batch = _layout.Batch;
        _layout.CheckVector(c, n, nameof(c));
        if (P is not null) _layout.CheckMatrix(P, n, n, nameof(P));
        _layout.CheckVector(x, n, nameof(x));
        _layout.CheckVector(y, m, nameof(y));
        _layout.CheckVector(s, m, nameof(s));

        using var noGrad = no_grad();
        _sharedA = sparseA?.Shared ?? denseA!.dim() == 2;
        _sharedP = P is not null && P.dim() == 2;
        _hasP = P is not null;
        _x = ToFloat64(x);
        _y = ToFloat64(y);
        var v = _y - ToFloat64(s);
        _d = m == 0 ? null : new CompositeCone(cones).ProjectDualDerivative(v);
        var wideA = sparseA?.To(ScalarType.Float64);
        // The dense A (B, m, n), formed on first use only when A is held sparsely.
        Tensor? dense = denseA is null ? null : ToFloat64(denseA).expand(batch, m, n);
        Tensor DenseA() => dense ??= wideA!.Dense(batch);
        Tensor DenseItems(Tensor index, long[] items) => wideA is not null && dense is null ? wideA.Dense(items) : DenseA().index_select(0, index);
        // P = 0 as a broadcast view: the CPU path never reads it, and a (B, n, n) block of zeros is megabytes to fault in.
        // Formed on first use, as is I below: the active-set path needs neither.
        Tensor? given = P is null ? null : ToFloat64(P).expand(batch, n, n), zero = null;
        Tensor PorZero() => given ?? (zero ??= zeros(n, n, dtype: ScalarType.Float64, device: v.device).expand(batch, n, n));
        Tensor Jacobian(Tensor pj, Tensor aj, Tensor dj) =>
            cat([cat([pj, aj.transpose(1, 2).matmul(dj)], 2), cat([aj, dj - eye(m, dtype: ScalarType.Float64, device: v.device)], 2)], 1);
        // Sparse A: the symmetric quasi-definite form of J, factorised sparsely (SparseDerivativeSolver), never forming D densely.
        Tensor Fallback(long[] items, Tensor denseD)
        {
            var index = tensor(items, device: v.device);
            return Jacobian(PorZero().index_select(0, index), DenseItems(index, items), denseD);
        }
        // The active-set path below takes the batch when it is expected to be the faster one.
        bool activeSet = DerivativeSystem.Serves(v);
        var sparse = _d is null ? null
            : wideA is not null ? SparseDerivativeSolver.TryCreate(cones, wideA, batch, given, _d, Fallback, activeSet)
            : SparseDerivativeSolver.TryCreate(cones, dense!, given, _d, Fallback, activeSet);
        if (sparse is not null)
        {
            _solver = sparse;
            return;
        }
        if (_d is not null && activeSet)
        {
            // A as given: a shared one is read once.
            var givenA = denseA is not null ? ToFloat64(denseA) : _sharedA ? wideA!.Dense(1)[0] : DenseA();
            var system = new DerivativeSystem(givenA, P is null ? null : ToFloat64(P), _d, (int)batch, (int)n, (int)m);
            // The active-set system, in D's eigenbasis where D has general second-order, PSD or exponential blocks.
            _solver = ActiveSetDerivativeSolver.Create(system);
            return;
        }
        var d = _d is null ? zeros(batch, 0, 0, dtype: ScalarType.Float64, device: v.device) : _d.Dense();
        _solver = new RefinedBatchSolver(Jacobian(PorZero(), DenseA(), d));
    }

    /// <summary>The layout of programs whose A is held sparsely, with A's values checked against it (ParamName "A").</summary>
    private static ConeProgramArguments SparseLayout(SparseBatchMatrix A, Tensor b)
    {
        var layout = ConeProgramArguments.Of(A.Rows, A.Columns, b);
        layout.CheckVector(A.Shared ? A.Values.unsqueeze(0).expand(layout.Batch, A.Entries) : A.Values, A.Entries, nameof(A));
        return layout;
    }

    /// <summary>The solver of J chosen for the batch (for tests).</summary>
    internal IDerivativeSolver Solver => _solver;

    /// <summary>(B,) bool: the items whose J is singular, solved in the least-squares sense.</summary>
    public Tensor LeastSquares => _solver.Singular;

    /// <summary>
    /// The derivative of (x, y, s) along the data direction (dA, db, dc, dP); a null direction is zero. Each is shaped
    /// like its data (dA and dP may be batched or shared whatever A and P are; dP is also accepted when P is null,
    /// as a perturbation of P = 0); only the symmetric part of dP acts,
    /// as the objective ½xᵀPx sees only P's. Computes dF = [dP·x + dAᵀy + dc; dA·x − db], [dx; dv] = −J⁻¹dF,
    /// dy = D·dv and ds = (D − I)·dv.
    /// </summary>
    /// <exception cref="ArgumentException">A direction has the wrong shape, dtype or device (ParamName dA, db, dc or dP).</exception>
    public ConeProgramTangent Forward(Tensor? dA, Tensor? db, Tensor? dc, Tensor? dP)
    {
        long m = _layout.Rows, n = _layout.Variables;
        if (dA is not null) _layout.CheckMatrix(dA, m, n, nameof(dA));
        if (db is not null) _layout.CheckVector(db, m, nameof(db));
        if (dc is not null) _layout.CheckVector(dc, n, nameof(dc));
        if (dP is not null) _layout.CheckMatrix(dP, n, n, nameof(dP));

        using var noGrad = no_grad();
        var top = ZeroVector(n);
        var bottom = ZeroVector(m);
        if (dP is not null)
        {
            var wide = ToFloat64(dP);
            top = top.Plus(Times(wide.Plus(wide.transpose(-1, -2)).Times(0.5), _x));
        }
        if (dA is not null)
        {
            var wide = ToFloat64(dA);
            top = top.Plus(Times(wide.transpose(-1, -2), _y));
            bottom = bottom.Plus(Times(wide, _x));
        }
        if (dc is not null) top = top.Plus(ToFloat64(dc));
        if (db is not null) bottom -= ToFloat64(db);

        var (solution, residual) = _solver.Solve(-cat([top, bottom], 1), transpose: false);
        var dx = solution.narrow(1, 0, n);
        var dv = solution.narrow(1, n, m);
        var dy = ApplyD(dv);
        return new ConeProgramTangent(ToDataType(dx), ToDataType(dy), ToDataType(dy - dv), residual);
    }

    /// <summary>
    /// The gradients of a loss with gradients gx, gy, gs at (x, y, s) (a null one is zero):
    /// r = [gx; D·gy + (D − I)·gs], u = J⁻ᵀr, ∇c = −u_x, ∇b = u_v, ∇A = −(y·u_xᵀ + u_v·xᵀ), ∇P = −½(u_x·xᵀ + x·u_xᵀ).
    /// A shared A or P gets the sum of the items' gradients.
    /// </summary>
    /// <param name="gx">∂loss/∂x, (B, n), or null.</param>
    /// <param name="gy">∂loss/∂y, (B, m), or null.</param>
    /// <param name="gs">∂loss/∂s, (B, m), or null.</param>
    /// <param name="aEntries">When given, ∇A only at these entries of A: (B, k), or (k) when A is shared.</param>
    /// <param name="pEntries">When given, ∇P only at these entries of P: (B, k), or (k) when P is shared.</param>
    /// <exception cref="ArgumentException">A gradient has the wrong shape, dtype or device (ParamName gx, gy or gs).</exception>
    public ConeProgramGradients Adjoint(Tensor? gx, Tensor? gy, Tensor? gs, MatrixEntries? aEntries = null, MatrixEntries? pEntries = null)
    {
        long m = _layout.Rows, n = _layout.Variables;
        if (gx is not null) _layout.CheckVector(gx, n, nameof(gx));
        if (gy is not null) _layout.CheckVector(gy, m, nameof(gy));
        if (gs is not null) _layout.CheckVector(gs, m, nameof(gs));

        using var noGrad = no_grad();
        var top = gx is null ? ZeroVector(n) : ToFloat64(gx);
        // D·(gy + gs) − gs, with the terms of a null gradient left out (a loss of x alone: no product with D at all).
        var dual = gy is null ? null : ToFloat64(gy);
        var slack = gs is null ? null : ToFloat64(gs);
        var bottom = slack is null ? (dual is null ? ZeroVector(m) : ApplyD(dual)) : ApplyD(dual is null ? slack : dual.Plus(slack)) - slack;

        var (u, residual) = _solver.Solve(cat([top, bottom], 1), transpose: true);
        var ux = u.narrow(1, 0, n);
        var uv = u.narrow(1, n, m);
        Tensor gradA;
        if (aEntries is null)
        {
            gradA = _sharedA ? SummedOuter(_y, ux, uv, _x).neg_() : DenseGradientA(ux, uv);
        }
        else gradA = _sharedA ? -SummedAtEntries(_y, ux, uv, _x, aEntries) : -AtEntries(_y, ux, aEntries).Plus(AtEntries(uv, _x, aEntries));
        Tensor? gradP = null;
        if (_hasP && pEntries is not null)
        {
            gradP = _sharedP ? SummedAtEntries(ux, _x, _x, ux, pEntries) : AtEntries(ux, _x, pEntries).Plus(AtEntries(_x, ux, pEntries));
            gradP = gradP.Times(-0.5);
        }
        else if (_hasP)
        {
            var half = Outer(ux, _x);
            gradP = half.Plus(half.transpose(1, 2)).Times(-0.5);
            if (_sharedP) gradP = gradP.sum(dim: 0);
        }
        return new ConeProgramGradients(ToDataType(gradA), ToDataType(uv), ToDataType(-ux), gradP is null ? null : ToDataType(gradP), residual);
    }

    /// <summary>D·u per item for u (B, m) (D symmetric, so also Dᵀ·u).</summary>
    private Tensor ApplyD(Tensor u) => _d is null ? u.clone() : _d.Apply(u);

    /// <summary>The argument detached and in float64, the working precision (the argument itself when it already is).</summary>
    private static Tensor ToFloat64(Tensor value) => value.detach().to(ScalarType.Float64);

    /// <summary>A result in the data's dtype.</summary>
    private Tensor ToDataType(Tensor value) => value.to(_layout.DType);

    /// <summary>Zeros (B, <paramref name="length"/>) in float64 on the data's device.</summary>
    private Tensor ZeroVector(long length) =>
        zeros(_layout.Batch, length, dtype: ScalarType.Float64, device: _layout.Device);

    /// <summary>M·z per item for M (B, r, c) or (r, c) and z (B, c).</summary>
    private static Tensor Times(Tensor matrix, Tensor z) => matrix.matmul(z.unsqueeze(2)).squeeze(2);

    /// <summary>(u·wᵀ)[rows, columns] per item for u (B, r) and w (B, c): (B, k), without forming u·wᵀ.</summary>
    private static Tensor AtEntries(Tensor u, Tensor w, MatrixEntries entries) =>
        u.index_select(1, entries.Rows) * w.index_select(1, entries.Columns);

    /// <summary>
    /// Σ over the items of (u·wᵀ + s·tᵀ)[rows, columns] for u, s (B, r) and w, t (B, c): (k), the gradient of data shared
    /// by the batch. Each factor is gathered as (k, B) rows of its contiguous transpose (whole rows copied, where picking
    /// k columns of a (B, r) view copies element by element).
    /// </summary>
    private static Tensor SummedAtEntries(Tensor u, Tensor w, Tensor s, Tensor t, MatrixEntries entries)
    {
        static Tensor Gather(Tensor v, Tensor index) => v.t().contiguous().index_select(0, index);
        return (Gather(u, entries.Rows) * Gather(w, entries.Columns)).Plus(Gather(s, entries.Rows) * Gather(t, entries.Columns)).sum(dim: 1);
    }

    /// <summary>
    /// ∇A = −(y·u_xᵀ + u_v·xᵀ) per item, (B, m, n), one result written in place; from <see cref="FreshPages.MinimumBytes"/>
    /// into memory mapped in beforehand (a fresh multi-megabyte block otherwise faults every page in on first touch),
    /// below it as the product's own result (one pass fewer).
    /// </summary>
    private Tensor DenseGradientA(Tensor ux, Tensor uv)
    {
        long batch = _layout.Batch, m = _layout.Rows, n = _layout.Variables;
        var minusY = _y.neg();
        var gradA = batch * m * n * sizeof(double) < FreshPages.MinimumBytes ? Outer(minusY, ux)
            : FreshPages.Empty([batch, m, n], ScalarType.Float64, _x.device).copy_(ux.unsqueeze(1).expand(batch, m, n)).mul_(minusY.unsqueeze(2));
        return gradA.addcmul_(uv.unsqueeze(2), _x.unsqueeze(1), value: ScalarSafeOperations.MinusOne);
    }

    /// <summary>Σ over the items of u·wᵀ + s·tᵀ for u, s (B, r) and w, t (B, c): (r, c), by two matrix products over the batch.</summary>
    private static Tensor SummedOuter(Tensor u, Tensor w, Tensor s, Tensor t) => u.t().matmul(w).PlusInPlace(s.t().matmul(t));

    /// <summary>u·wᵀ per item for u (B, r) and w (B, c), as a broadcast product (not B rank-one matrix products).</summary>
    private static Tensor Outer(Tensor u, Tensor w) => u.unsqueeze(2) * w.unsqueeze(1);
}
