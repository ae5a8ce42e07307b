using DiffOpt.Native;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The derivative of the solution map (A, b, c, P) ↦ (x, y, s) of a solved batch of cone programs at the returned
/// solution (<see cref="ConeProgramSolver.SolveWithDerivative(Tensor, Tensor, Tensor, IReadOnlyList{Cone}, Tensor?)"/>), through the normal map of docs/CONES.md: forward
/// mode (<see cref="Forward"/>) and reverse mode (<see cref="Adjoint(Tensor?, Tensor?, Tensor?)"/>). Items that are not
/// <see cref="SolverStatus.Solved"/> or <see cref="SolverStatus.Inaccurate"/> get zero derivative.
/// </summary>
public sealed class ConeProgramDerivativeHandle
{
    private readonly ConeProgramData _data;
    private readonly ConeProgramDerivative _derivative;
    private readonly Tensor? _solved;  // (B, 1), 1 where the item has a solution, in the data's dtype; null when every item has one

    /// <summary>
    /// Forms the derivative of the programs <paramref name="data"/> at <paramref name="solution"/> (one factorisation).
    /// Its callers (the solver's and the autograd functions' entry points) hold the temporary tensors of the call.
    /// </summary>
    internal ConeProgramDerivativeHandle(ConeProgramData data, ConeProgramSolution solution)
    {
        _data = data;
        var x = solution.X;
        var y = solution.Y;
        var s = solution.S;
        // Unsolved items are differentiated at zero (their J may be singular; the result is masked anyway). When every
        // item is solved nothing is masked (the common case: no tensor operations spent on a mask of ones).
        if (!solution.Status.All(status => status.HasSolution()))
        {
            var solved = solution.Status.Select(status => status.HasSolution() ? 1.0 : 0.0).ToArray();
            _solved = tensor(solved, dtype: data.DType, device: data.Device).unsqueeze(1);
            var keep = _solved.to(ScalarType.Bool);
            Tensor Masked(Tensor v) => where(keep, v, zeros_like(v));
            (x, y, s) = (Masked(x), Masked(y), Masked(s));
        }
        _derivative = data.SparseA is { } sparseA
            ? new ConeProgramDerivative(data.Cones, sparseA, data.B, data.C, data.GivenP, x, y, s)
            : new ConeProgramDerivative(data.Cones, data.GivenA, data.B, data.C, data.GivenP, x, y, s);
    }

    /// <summary>(B,) bool: the items whose derivative system is singular, solved in the minimum-norm least-squares sense.</summary>
    internal Tensor LeastSquares => _derivative.LeastSquares;

    /// <summary>
    /// (dx, dy, ds), each (B, ·), the derivative of the solution along the data direction (dA, db, dc, dP); a null
    /// direction is zero, and each may be batched or shared (dA (B, m, n) or (m, n), db (B, m) or (m), dc (B, n) or (n),
    /// dP (B, n, n) or (n, n), of which only the symmetric part acts).
    /// </summary>
    /// <exception cref="ArgumentException">A direction has the wrong shape, dtype or device; ParamName names it.</exception>
    public (Tensor DX, Tensor DY, Tensor DS) Forward(Tensor? dA, Tensor? db, Tensor? dc, Tensor? dP = null)
    {
        return TemporaryTensors.Hold(() =>
        {
            var tangent = _derivative.Forward(dA, Batched(db), Batched(dc), dP);
            return _solved is null ? (tangent.DX, tangent.DY, tangent.DS) : (tangent.DX * _solved, tangent.DY * _solved, tangent.DS * _solved);
        });
    }

    /// <summary>
    /// The gradients (∇A, ∇b, ∇c, ∇P) of a loss whose gradients at (x, y, s) are (dx, dy, ds) (null: zero), each shaped
    /// like the argument given to the solver (a shared argument's gradient is the sum over the items); ∇P is null when
    /// the programs have no P.
    /// </summary>
    /// <exception cref="ArgumentException">A gradient has the wrong shape, dtype or device; ParamName names it.</exception>
    public (Tensor A, Tensor B, Tensor C, Tensor? P) Adjoint(Tensor? dx, Tensor? dy, Tensor? ds) => Adjoint(dx, dy, ds, null, null);

    /// <summary>
    /// <see cref="Adjoint(Tensor?, Tensor?, Tensor?)"/> with ∇A and ∇P only at the given entries (each (B, k), or (k) when
    /// the matrix is shared; null entries: the dense gradient).
    /// </summary>
    internal (Tensor A, Tensor B, Tensor C, Tensor? P) Adjoint(Tensor? dx, Tensor? dy, Tensor? ds, MatrixEntries? aEntries, MatrixEntries? pEntries)
    {
        return TemporaryTensors.Hold(() =>
        {
            var g = _derivative.Adjoint(Masked(dx), Masked(dy), Masked(ds), aEntries, pEntries);
            return (g.A, _data.SharedB ? g.B.sum(dim: 0) : g.B, _data.SharedC ? g.C.sum(dim: 0) : g.C, g.P);
        });
    }

    /// <summary>An unbatched direction broadcast to (B, ·).</summary>
    private Tensor? Batched(Tensor? value) => value is null || value.dim() != 1 ? value : value.unsqueeze(0).expand(_data.Batch, value.shape[0]);

    /// <summary>A loss gradient with the rows of unsolved items zeroed (null stays null).</summary>
    private Tensor? Masked(Tensor? value) => value is null ? null : _solved is null ? value.detach() : value.detach() * _solved;
}
