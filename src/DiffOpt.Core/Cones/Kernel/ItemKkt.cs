using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The reduced KKT system of one item's homogeneous interior-point iteration on the CPU: K = [P̂, Âᵀ; Â, −Hs] with the
/// rows of every cone but the zero cones eliminated (Δz_I = H_I⁻¹(Â_IΔx − r_I)), which leaves the quasi-definite
///     [P̂ + Σ Â_kᵀH_k⁻¹Â_k + δI, Â_Eᵀ; Â_E, −δI]   (E the zero-cone rows),
/// of order n + |E|, factorised by blocks with LAPACK (<see cref="QuasiDefiniteCholesky"/>: dpotrf, dtrsm; the Gram sum by
/// <see cref="GramRows"/>) where BLAS is available and by the managed dense LDLᵀ (<see cref="QuasiDefiniteLdl"/>) elsewhere; the products
/// with Â go through <see cref="DenseRows"/> (rows with one nonzero as scalars, the others by dgemv). Each solve is refined against K
/// itself (without δ, with Hs rather than Hs⁻¹) until the residual stops shrinking, at most <see cref="MaxRefinement"/>
/// steps, as the tensor path's <see cref="HomogeneousKkt"/> does with its dense LU. A solve is accepted when its
/// residual is small against the right-hand side or its componentwise backward error is (<see cref="KktBackwardError"/>).
/// When the leading block's own Cholesky factorisation breaks down, a polyhedral item's reduced matrix is factorised
/// with its zero-cone block eliminated first (<see cref="FactorEliminated"/>). When the reduced matrix needs dynamic
/// regularisation still, the item falls back to the full quasi-definite matrix for the rest of its iterations; when a
/// solve is accepted by neither test, for the rest of that iteration only (the next iteration's reduced matrix succeeds
/// again in a third (SOCP benchmark case) to three quarters (mixed case) of such iterations, and costs a fifth of the
/// full matrix's Bunch–Kaufman factorisation).
/// </summary>
internal sealed class ItemKkt : IItemKkt
{
    /// <summary>Refinement steps at most per solve.</summary>
    internal const int MaxRefinement = 10;

    private readonly KernelCone[] _cones;
    private readonly int[] _zeroRows;
    private readonly bool _polyhedral;   // zero and nonnegative cones only
    private readonly int _n, _m;
    private readonly double[] _g;      // G = FᵀÂ per cone, m × n (zero rows unused)
    private readonly double[] _gt;     // Gᵀ, n × m
    private readonly GramRows _gramRows;
    private readonly QuasiDefiniteLdl? _ldl;
    private readonly QuasiDefiniteCholesky? _cholesky;
    private readonly bool _native;
    private readonly double[] _reduced, _work, _residualTop, _residualBottom, _correctionX, _correctionZ;
    private readonly KktBackwardError _backwardError;
    private readonly DenseRows _rows, _pRows;
    private ItemProgram _data = null!;
    private QuasiDefiniteLdl? _fullLdl;
    private double[]? _fullRhs;
    private bool _full, _fullNative, _stayFull;   // _stayFull: the reduced matrix needed regularisation
    private bool _stayEliminated;                  // the leading block's own factorisation broke down (FactorEliminated)
    private int[]? _fullPivots;
    private double[]? _unit;
    private double[]? _fullWork;

    /// <summary>Whether the current iteration solves with the full matrix (tests).</summary>
    internal bool UsesFullMatrix => _full;

    /// <summary>Whether the reduced matrix is factorised with its zero-cone block eliminated first (<see cref="FactorEliminated"/>; tests).</summary>
    internal bool UsesEliminatedFactor => _stayEliminated && !_full;

    /// <summary>The split rows of Â (<see cref="DenseRows"/>), bound by <see cref="Factor"/>; the iteration's products share them.</summary>
    internal DenseRows Rows => _rows;

    /// <summary>Whether the products and factorisations use BLAS/LAPACK.</summary>
    public bool Native => _native;

    /// <summary>Relative residual ‖K[Δx; Δz] − rhs‖∞/‖rhs‖∞ a solve must reach.</summary>
    /// <remarks>
    /// Near the optimum Hs spans many orders of magnitude and a backward-stable solve (the full matrix's too) leaves a
    /// residual of about ε·‖K‖·‖[Δx; Δz]‖, far above 1e-10·‖rhs‖∞: such a solve is accepted by its componentwise
    /// backward error (<see cref="AcceptedBackwardError"/>) instead.
    /// </remarks>
    internal const double AcceptedResidual = 1e-10;

    /// <summary>Componentwise backward error (<see cref="KktBackwardError"/>) at most which a solve is accepted.</summary>
    /// <remarks>
    /// The solution is then exact for entries of K and of the right-hand side perturbed relatively by 1e-11 at most,
    /// less than the rounding errors of forming Hs near the boundary of a cone. Measured on random SOCP and
    /// exponential-cone items: where the reduced solve first missed <see cref="AcceptedResidual"/>, its backward error
    /// was 1e-14 to 1e-15 in 58 of 64 cases; on the benchmark cone cases 1e-13, 1e-12 and 1e-11 gave the same
    /// statuses, iteration counts and distance of x from a solve at tolerance 1e-10.
    /// </remarks>
    internal const double AcceptedBackwardError = 1e-11;

    /// <summary>Relative residual above which a solve is refined (the unrefined reduced solve reaches about 1e-8 to 1e-11).</summary>
    internal const double RefineAbove = 1e-13;

    /// <summary>Workspace for the cones <paramref name="cones"/> of an item with n variables and m rows.</summary>
    public ItemKkt(KernelCone[] cones, int n, int m)
        : this(cones, n, m, DenseProducts.NativeAvailable)
    {
    }

    /// <summary>As the main constructor, with BLAS/LAPACK (<paramref name="native"/>) or the managed loops (tests compare the two).</summary>
    internal ItemKkt(KernelCone[] cones, int n, int m, bool native)
    {
        _native = native;
        _cones = cones;
        _n = n;
        _m = m;
        _polyhedral = cones.All(c => c is KernelZeroCone or KernelNonnegativeCone);
        _zeroRows = cones.Where(c => c.IsZero).SelectMany(c => Enumerable.Range(c.Offset, c.Rows)).ToArray();
        _g = new double[m * n];
        _gt = native ? [] : new double[n * m];
        _gramRows = new GramRows(cones, n, m);
        if (native) _cholesky = new QuasiDefiniteCholesky(n, _zeroRows.Length);
        else _ldl = new QuasiDefiniteLdl(n + _zeroRows.Length);
        _reduced = new double[n + _zeroRows.Length];
        _work = new double[m];
        _residualTop = new double[n];
        _residualBottom = new double[m];
        _correctionX = new double[n];
        _correctionZ = new double[m];
        _backwardError = new KktBackwardError(cones, n, m, native);
        _rows = new DenseRows(m, n, native);
        _pRows = new DenseRows(n, n, native);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _full = _stayFull = _stayEliminated = false;
        _backwardError.Reset();
        _gramRows.Reset();
    }

    /// <summary>
    /// Assembles and factorises the reduced matrix for <paramref name="data"/> with the cones' current scalings;
    /// false when it is not finite.
    /// </summary>
    public bool Factor(ItemProgram data)
    {
        _data = data;
        _rows.Bind(data);
        if (data.ScaledP is { } p) _pRows.Bind(data, p);
        _full = false;
        if (_stayFull) return FactorFull();
        int n = _n, m = _m;
        var a = data.DenseScaledA.AsSpan();
        foreach (var cone in _cones)
            if (!cone.IsZero) cone.HalfInverse(a.Slice(cone.Offset * n, cone.Rows * n), _g.AsSpan(cone.Offset * n, cone.Rows * n), n);
        foreach (int row in _zeroRows) _g.AsSpan(row * n, n).Clear();
        if (_cholesky is not null && ((!_stayEliminated && FactorBlocked(data)) || FactorEliminated(data))) return true;
        if (_ldl is not null && FactorManaged(data)) return true;
        _stayFull = true;
        return FactorFull();
    }

    /// <summary>The reduced matrix assembled and factorised by <see cref="QuasiDefiniteCholesky"/>; false where it needs regularisation.</summary>
    private bool FactorBlocked(ItemProgram data)
    {
        AssembleBlocked(data);
        return _cholesky!.Factor(HomogeneousKkt.StaticRegularization);
    }

    /// <summary>
    /// The reduced matrix assembled again and factorised with its zero-cone block eliminated first
    /// (<see cref="QuasiDefiniteCholesky.FactorEliminated"/>): where the leading block's own factorisation broke down
    /// (the polyhedral items at a vertex, whose active rows' weights reach 1e8 while the zero-cone rows pin down the other
    /// directions). It replaces the full matrix's Bunch–Kaufman factorisation of order n + m, which cost about six times
    /// as much on the diffcp LP case (n = 50, m = 110), where 35 of 128 items took it once, at their last iteration.
    /// Later iterations of the item take this route straight away. Polyhedral items only: on the mixed and SOCP cone
    /// cases the route changed the mean iteration count (mixed: 16.59 to 16.63) and moved x by 1.5e-6. False without
    /// zero-cone rows or where this factorisation fails too.
    /// </summary>
    private bool FactorEliminated(ItemProgram data)
    {
        if (_zeroRows.Length == 0 || !_polyhedral) return false;
        AssembleBlocked(data);
        _stayEliminated = _cholesky!.FactorEliminated(HomogeneousKkt.StaticRegularization);
        return _stayEliminated;
    }

    /// <summary>The lower triangle of the reduced matrix's leading block and the zero-cone rows into <see cref="QuasiDefiniteCholesky"/>'s buffers.</summary>
    private void AssembleBlocked(ItemProgram data)
    {
        int n = _n;
        var k = _cholesky!.Leading;
        _gramRows.Gram(data, _g, k);
        AddLeading(data, k, n);
        for (int e = 0; e < _zeroRows.Length; e++) data.DenseScaledA.AsSpan(_zeroRows[e] * n, n).CopyTo(_cholesky.Coupling.Slice(e * n, n));
    }

    /// <summary>
    /// P̂ + δI added to the lower triangle of the leading n × n block of k (row length ldk); P̂'s rows with one nonzero
    /// (<see cref="DenseRows.RowColumn"/>: an alias block's diagonal) add that entry only, and its empty rows nothing.
    /// </summary>
    private void AddLeading(ItemProgram data, Span<double> k, int ldk)
    {
        int n = _n;
        for (int j = 0; j < n; j++)
        {
            if (data.ScaledP is { } p)
            {
                int column = _pRows.RowColumn(j);
                if (column == DenseRows.DenseRow) SpanKernels.Add(p.AsSpan(j * n, j + 1), k.Slice(j * ldk, j + 1));
                else if (column >= 0 && column <= j) k[j * ldk + column] += p[j * n + column];
            }
            k[j * ldk + j] += HomogeneousKkt.StaticRegularization;
        }
    }

    /// <summary>The reduced matrix assembled and factorised by the managed <see cref="QuasiDefiniteLdl"/>; false where it needs regularisation.</summary>
    private bool FactorManaged(ItemProgram data)
    {
        int n = _n, m = _m, order = _ldl!.Order;
        var a = data.DenseScaledA.AsSpan();
        var k = _ldl.Matrix;
        Gram(_g, m, n, k, order);
        AddLeading(data, k, order);
        for (int e = 0; e < _zeroRows.Length; e++)
        {
            var row = k.Slice((n + e) * order, order);
            a.Slice(_zeroRows[e] * n, n).CopyTo(row);
            row[(n)..(n + e + 1)].Clear();
            row[n + e] = -HomogeneousKkt.StaticRegularization;
        }
        return _ldl.Factor(n) && _ldl.Regularized == 0;
    }

    /// <summary>
    /// Assembles and factorises the full quasi-definite [P̂ + δI, Âᵀ; Â, −Hs − δI] (order n + m): the fallback when the
    /// reduced matrix has lost the information of its smallest pivots (degenerate items near the optimum, where
    /// Hs⁻¹ spans many orders of magnitude) and a solve with it cannot be refined to full accuracy.
    /// </summary>
    private bool FactorFull()
    {
        int n = _n, m = _m, order = n + m;
        _fullLdl ??= new QuasiDefiniteLdl(order);
        _full = true;
        var k = _fullLdl.Matrix;
        var a = _data.DenseScaledA.AsSpan();
        for (int j = 0; j < n; j++)
        {
            var row = k.Slice(j * order, j + 1);
            if (_data.ScaledP is null) row.Clear();
            else _data.ScaledP.AsSpan(j * n, j + 1).CopyTo(row);
            row[j] += HomogeneousKkt.StaticRegularization;
        }
        var unit = _unit ??= new double[m];
        foreach (var cone in _cones)
            for (int i = cone.Offset; i < cone.Offset + cone.Rows; i++)
            {
                var row = k.Slice((n + i) * order, n + i + 1);
                a.Slice(i * n, n).CopyTo(row);
                row[n..].Clear();
                if (!cone.IsZero)
                {
                    unit.AsSpan(cone.Offset, cone.Rows).Clear();
                    unit[i] = 1;
                    cone.MulH(unit.AsSpan(cone.Offset, cone.Rows), _work.AsSpan(cone.Offset, cone.Rows));
                    for (int l = cone.Offset; l <= i; l++) row[n + l] = -_work[l];
                }
                row[n + i] -= HomogeneousKkt.StaticRegularization;
            }
        if (_native)
        {
            // LAPACK's Bunch–Kaufman factorisation: an order of magnitude faster than the managed LDLᵀ at this size.
            _fullPivots ??= new int[order];
            _fullWork ??= new double[64 * order];
            _fullNative = NativeLu.FactorSymmetric(k, _fullPivots, order, _fullWork) == 0;
            return _fullNative;
        }
        _fullNative = false;
        return _fullLdl.Factor(n);
    }

    /// <summary>
    /// (Δx, Δz) with K[Δx; Δz] = [top; bottom], refined against K; switches this iteration to the full matrix when the
    /// reduced one reaches neither a relative residual of <see cref="AcceptedResidual"/> nor a backward error of
    /// <see cref="AcceptedBackwardError"/>, and keeps the better of the two solutions. False when the solution is not finite.
    /// </summary>
    public bool Solve(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz)
    {
        double scale = Math.Max(SpanKernels.NormInf(top), SpanKernels.NormInf(bottom));
        double residual = Refined(top, bottom, dx, dz, scale);
        if (residual <= AcceptedResidual * scale || _full) return double.IsFinite(residual);
        if (BackwardError(top, bottom, dx, dz) <= AcceptedBackwardError) return true;
        // Keep the reduced solution unless the full matrix does better.
        var keptX = dx.ToArray();
        var keptZ = dz.ToArray();
        if (!FactorFull()) return double.IsFinite(residual);
        double full = Refined(top, bottom, dx, dz, scale);
        if (!(full < residual))
        {
            keptX.CopyTo(dx);
            keptZ.CopyTo(dz);
        }
        return double.IsFinite(Math.Min(full, residual));
    }

    /// <summary>The componentwise backward error of (dx, dz) (<see cref="KktBackwardError"/>); +∞ where it is not finite.</summary>
    private double BackwardError(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, ReadOnlySpan<double> dx, ReadOnlySpan<double> dz)
    {
        // The refinement's buffers may hold the residual of a correction it undid: form the solution's own.
        Residual(top, bottom, dx, dz);
        return _backwardError.Measure(_data, top, bottom, dx, dz, _residualTop, _residualBottom);
    }

    /// <summary>A solve with the current factorisation and up to <see cref="MaxRefinement"/> refinement steps; returns the final residual's ∞-norm.</summary>
    private double Refined(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz, double scale)
    {
        SolveOnce(top, bottom, dx, dz);
        double residual = Residual(top, bottom, dx, dz);
        for (int step = 0; step < MaxRefinement && residual > RefineAbove * scale; step++)
        {
            SolveOnce(_residualTop, _residualBottom, _correctionX, _correctionZ);
            SpanKernels.Add(_correctionX, dx[.._n]);
            SpanKernels.Add(_correctionZ, dz[.._m]);
            double next = Residual(top, bottom, dx, dz);
            if (!(next < residual))
            {
                // The correction did not help: undo it (the buffers hold the new residual, which is not used again).
                for (int i = 0; i < _n; i++) dx[i] -= _correctionX[i];
                for (int i = 0; i < _m; i++) dz[i] -= _correctionZ[i];
                break;
            }
            residual = next;
        }
        return residual;
    }

    private void SolveOnce(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz)
    {
        if (!_full)
        {
            SolveReduced(top, bottom, dx, dz);
            return;
        }
        var rhs = _fullRhs ??= new double[_n + _m];
        top.CopyTo(rhs);
        bottom.CopyTo(rhs.AsSpan(_n));
        if (_fullNative) BunchKaufmanSolve.Solve(_fullLdl!.Matrix, _fullPivots, _n + _m, rhs);
        else _fullLdl!.Solve(rhs);
        rhs.AsSpan(0, _n).CopyTo(dx);
        rhs.AsSpan(_n).CopyTo(dz);
    }

    /// <summary>The lower triangle of GᵀG (m × n row-major G) into the leading n × n block of k (row length ldk), managed.</summary>
    private void Gram(ReadOnlySpan<double> g, int m, int n, Span<double> k, int ldk)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) _gt[j * m + i] = g[i * n + j];
        for (int j = 0; j < n; j++)
            for (int l = 0; l <= j; l++) k[j * ldk + l] = SpanKernels.Dot(_gt.AsSpan(j * m, m), _gt.AsSpan(l * m, m));
    }

    /// <summary>One solve with the factorised reduced matrix.</summary>
    private void SolveReduced(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz)
    {
        int n = _n;
        // H_I⁻¹r_I, then the reduced right-hand side [top + Â_IᵀH_I⁻¹r_I; r_E].
        foreach (var cone in _cones)
        {
            if (cone.IsZero) _work.AsSpan(cone.Offset, cone.Rows).Clear();
            else cone.MulHinv(bottom.Slice(cone.Offset, cone.Rows), _work.AsSpan(cone.Offset, cone.Rows));
        }
        var rhs = _reduced.AsSpan();
        top.CopyTo(rhs);
        _rows.MultiplyTransposed(1, _work, 1, rhs[..n]);
        for (int e = 0; e < _zeroRows.Length; e++) rhs[n + e] = bottom[_zeroRows[e]];
        if (_cholesky is not null) _cholesky.Solve(rhs);
        else _ldl!.Solve(rhs);
        rhs[..n].CopyTo(dx);
        for (int e = 0; e < _zeroRows.Length; e++) dz[_zeroRows[e]] = rhs[n + e];
        // Δz_I = H_I⁻¹(Â_IΔx − r_I).
        _rows.Multiply(1, dx, 0, _work);
        foreach (var cone in _cones)
        {
            if (cone.IsZero) continue;
            for (int i = cone.Offset; i < cone.Offset + cone.Rows; i++) _work[i] -= bottom[i];
            cone.MulHinv(_work.AsSpan(cone.Offset, cone.Rows), dz.Slice(cone.Offset, cone.Rows));
        }
    }

    /// <summary>[top; bottom] − K[dx; dz] into the residual buffers; returns its ∞-norm.</summary>
    private double Residual(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, ReadOnlySpan<double> dx, ReadOnlySpan<double> dz)
    {
        int n = _n;
        top.CopyTo(_residualTop);
        if (_data.ScaledP is not null) _pRows.Multiply(-1, dx, 1, _residualTop);
        bottom.CopyTo(_residualBottom);
        _rows.MultiplyBoth(-1, dx, _residualBottom, dz, _residualTop);
        foreach (var cone in _cones)
        {
            if (cone.IsZero) continue;
            cone.MulH(dz.Slice(cone.Offset, cone.Rows), _work.AsSpan(cone.Offset, cone.Rows));
            for (int i = cone.Offset; i < cone.Offset + cone.Rows; i++) _residualBottom[i] += _work[i];
        }
        return Math.Max(SpanKernels.NormInf(_residualTop), SpanKernels.NormInf(_residualBottom));
    }
}
