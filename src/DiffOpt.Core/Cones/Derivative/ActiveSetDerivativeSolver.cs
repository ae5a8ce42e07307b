using DiffOpt.Numerics;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// Solves with the derivative Jacobians J of a CPU <see cref="DerivativeSystem"/> through each item's active-set system
/// (<see cref="ActiveSetItem"/>: the rows where D = 0 and the variables a single active row fixes eliminated), refined
/// against the full J, with each item's residual ‖J·z − r‖∞/‖r‖∞ of the full system. An item whose D is diagonal
/// (<see cref="DerivativeSystem.TryDiagonal"/>: zero and nonnegative cones, and second-order cones whose D is exactly 0
/// or I) is reduced as it stands by Bunch–Kaufman; one whose other blocks are second-order, PSD or exponential cones'
/// is reduced in the eigenbasis of D's blocks (<see cref="DerivativeEigenbasis"/>: J = diag(I, Q)·J̃·diag(I, Qᵀ)
/// with J̃'s D diagonal) and factorised with fixed pivots (<see cref="QuasiDefiniteItem"/>; Bunch–Kaufman when that
/// fails). An item whose eigenbasis cannot be formed (a block not finite), whose reduced system is nearly singular (reciprocal
/// condition at most <see cref="ReducedSingularRatio"/>) or whose refined residual stays above
/// <see cref="IterativeRefinement.AcceptedResidual"/> is solved by the dense LU of the full J instead
/// (<see cref="RefinedBatchSolver"/>, which decides singularity and takes the least-squares solution).
/// </summary>
internal sealed class ActiveSetDerivativeSolver : IDerivativeSolver
{
    /// <summary>
    /// Reciprocal condition of the reduced system at or below which the full system takes the item: a hundred times
    /// the full solver's <see cref="RefinedBatchSolver.SingularRatio"/>, so that the full J decides every borderline case.
    /// </summary>
    internal const double ReducedSingularRatio = 100 * RefinedBatchSolver.SingularRatio;

    /// <summary>
    /// Relative residual of the full system at which refinement stops: a few units of rounding, reached after one
    /// correction on a well-conditioned item (each further step costs a reduced solve and a product with the full J).
    /// </summary>
    internal const double Enough = 1e-14;

    private readonly DerivativeSystem _system;
    private readonly ActiveSetItem?[] _items;
    private readonly DerivativeEigenbasis?[] _bases; // per item whose D is not diagonal: its eigenbasis
    private readonly double[]?[] _rotatedA;          // and Â = QᵀA there, unless the quasi-definite item holds what it reads
    private readonly QuasiDefiniteItem?[] _quasi;    // its quasi-definite factorisation, where that succeeded
    private readonly DenseFallback _fallback;

    /// <summary>
    /// The solver for <paramref name="system"/>: this one when some item's D is diagonal or can be rotated to a diagonal
    /// (<see cref="DerivativeEigenbasis.Applies"/>), else the dense LU of every item (<see cref="RefinedBatchSolver"/>).
    /// </summary>
    public static IDerivativeSolver Create(DerivativeSystem system)
    {
        for (int i = 0; i < system.Batch; i++)
            if (DerivativeEigenbasis.Applies(system, i)) return new ActiveSetDerivativeSolver(system);
        return new RefinedBatchSolver(system);
    }

    /// <summary>Factorises the reduced system of every item (in D's eigenbasis where D is not diagonal).</summary>
    public ActiveSetDerivativeSolver(DerivativeSystem system)
    {
        _system = system;
        int batch = system.Batch, n = system.Variables;
        _items = new ActiveSetItem?[batch];
        _bases = new DerivativeEigenbasis?[batch];
        _rotatedA = new double[]?[batch];
        _quasi = new QuasiDefiniteItem?[batch];
        // A shared A's row pattern and whether a shared P is 0 are found once, not per item.
        var rowPattern = system.SharesA ? ActiveSetItem.RowPattern(system.A(0), system.Rows, n) : null;
        bool? pIsZero = system.SharesP ? ActiveSetItem.IsZero(system.P(0)) : null;
        BatchParallel.ForEachLongItem(batch, index =>
        {
            int i = (int)index;
            var d = ThreadScratch.AtLeast(ref t_diagonal, system.Rows).AsSpan(0, system.Rows);
            ActiveSetItem item;
            if (system.TryDiagonal(i, d)) item = new ActiveSetItem(system.A(i), system.P(i), d, n, rowPattern, pIsZero);
            else
            {
                if (DerivativeEigenbasis.Of(system, i) is not { } basis) return;
                var rotated = ThreadScratch.AtLeast(ref t_rotated, system.Rows * n).AsSpan(0, system.Rows * n);
                basis.RotateRows(system.A(i), n, rotated);
                _bases[i] = basis;
                // Fixed pivots first; Bunch–Kaufman when the quasi-definite factorisation fails (it reads all of Â: a copy).
                if ((_quasi[i] = QuasiDefiniteItem.TryCreate(rotated, system.P(i), basis.Values, n)) is not null) return;
                _rotatedA[i] = rotated.ToArray();
                item = new ActiveSetItem(_rotatedA[i], system.P(i), basis.Values, n, pIsZero: pIsZero);
            }
            _items[i] = item.ReciprocalCondition > ReducedSingularRatio ? item : null;
        });
        _fallback = new DenseFallback(items => new RefinedBatchSolver(system.Select(items.Select(i => (int)i).ToArray())));
        Singular = zeros(batch, dtype: ScalarType.Bool);
        var refused = Enumerable.Range(0, batch).Where(i => _items[i] is null && _quasi[i] is null).Select(i => (long)i).ToArray();
        // Built now, so that Singular is known before the first solve.
        if (refused.Length > 0) Singular = Singular.index_copy(0, tensor(refused), _fallback.For(refused).Singular);
    }

    /// <summary>The thread's scratch Â, reused by the items it rotates (fresh arrays per item cost page faults).</summary>
    [ThreadStatic]
    private static double[]? t_rotated;

    /// <summary>The thread's scratch D diagonal (the item copies what it keeps).</summary>
    [ThreadStatic]
    private static double[]? t_diagonal;

    /// <summary>The thread's work space of a solve, and its rotated right-hand side and solution.</summary>
    [ThreadStatic]
    private static double[]? t_work, t_rotatedSolve;

    /// <summary>The order of each item's factorised system (0 for an item the full system took), for reports and tests.</summary>
    public int[] ReducedOrders => _items.Select((item, i) => _quasi[i]?.Order ?? item?.Order ?? 0).ToArray();

    /// <summary>
    /// The number of variables each item's reduced system fixed by a single active row: 0 for an item the full system took
    /// and for one factorised with fixed pivots (<see cref="QuasiDefiniteItem"/>, which fixes no variable).
    /// </summary>
    public int[] FixedVariables => _items.Select(item => item?.Fixed ?? 0).ToArray();

    /// <inheritdoc />
    public Tensor Singular { get; private set; }

    /// <inheritdoc />
    public (Tensor Solution, Tensor Residual) Solve(Tensor r, bool transpose)
    {
        var system = _system;
        int order = system.Order, batch = system.Batch;
        var rhs = Native.TensorCopy.ToDoubles(r);
        var solution = new double[rhs.Length];
        var residuals = new double[batch];
        var failed = new bool[batch];
        BatchParallel.ForEachLongItem(batch, index =>
        {
            int i = (int)index;
            var item = _items[i];
            var quasi = _quasi[i];
            if (item is null && quasi is null)
            {
                failed[i] = true;
                return;
            }
            var work = ThreadScratch.AtLeast(ref t_work, Math.Max(item?.WorkLength ?? quasi!.WorkLength, order));
            var basis = _bases[i];
            var rotated = basis is null ? null : ThreadScratch.AtLeast(ref t_rotatedSolve, 2 * order);
            residuals[i] = IterativeRefinement.Run(rhs.AsSpan(i * order, order), solution.AsSpan(i * order, order),
                (residual, correction) =>
                {
                    if (basis is null)
                    {
                        item!.Solve(system.A(i), system.P(i), residual, correction, transpose, work);
                        return;
                    }
                    // J = diag(I, Q)·J̃·diag(I, Qᵀ) and Jᵀ = diag(I, Q)·J̃ᵀ·diag(I, Qᵀ): solve with J̃ on the rotated residual.
                    int n = system.Variables;
                    var rhsRotated = rotated.AsSpan(0, order);
                    var zRotated = rotated.AsSpan(order, order);
                    residual[..n].CopyTo(rhsRotated);
                    basis.Apply(residual[n..], rhsRotated[n..], transposed: true);
                    if (quasi is not null) quasi.Solve(rhsRotated, zRotated, transpose, work);
                    else item!.Solve(_rotatedA[i], system.P(i), rhsRotated, zRotated, transpose, work);
                    zRotated[..n].CopyTo(correction);
                    basis.Apply(zRotated[n..], correction[n..], transposed: false);
                },
                (z, residual) =>
                {
                    // b − J·z with the full J.
                    system.Multiply(i, z, residual, transpose, work);
                    var b = rhs.AsSpan(i * order, order);
                    for (int k = 0; k < order; k++) residual[k] = b[k] - residual[k];
                    return SpanKernels.NormInf(residual);
                }, Enough);
            failed[i] = !(residuals[i] <= IterativeRefinement.AcceptedResidual);
        });
        var result = tensor(solution, dtype: ScalarType.Float64).view(batch, order);
        var relative = tensor(residuals, dtype: ScalarType.Float64);
        var singular = Singular;
        var merged = _fallback.Merge(r, transpose, failed, result, relative, ref singular);
        Singular = singular;
        return merged;
    }
}
