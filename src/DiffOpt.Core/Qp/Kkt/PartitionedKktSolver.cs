using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Qp;

/// <summary>
/// A batch whose items are served by different KKT solvers (the Schur form for some, the primal form for the
/// others, as <see cref="QpSolveDriver"/> chooses per item): each part factorises and solves its own items, and the
/// results are merged back into batch order. What an item gets is what its part gives it, independent of the
/// other parts. Used for the derivative of such a batch; the interior-point method runs on each part separately.
/// </summary>
internal sealed class PartitionedKktSolver : KktSolver
{
    private readonly (Tensor Index, KktSolver Solver)[] _parts;

    /// <summary>
    /// A solver for <paramref name="qp"/> from <paramref name="parts"/>: the 1-D int64 batch positions of each part's
    /// items (together each position exactly once) and the solver of that subset, in the same order.
    /// </summary>
    public PartitionedKktSolver(ScaledQp qp, IReadOnlyList<(Tensor Index, KktSolver Solver)> parts) : base(qp)
    {
        _parts = parts.Where(p => p.Index.size(0) > 0).ToArray();
    }

    /// <summary>Null: the parts carry their own regularisations, fixed or not.</summary>
    public override (Tensor Rho, Tensor Delta)? FixedRegularization => null;

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        var failed = zeros(Qp.BatchSize, dtype: ScalarType.Bool, device: Qp.C.device);
        var (rho, delta, w) = (parameters.Rho, parameters.Delta, parameters.W);
        foreach (var (index, solver) in _parts)
        {
            var part = new KktParameters(rho.index_select(0, index), delta.index_select(0, index), w.index_select(0, index));
            failed = failed.index_copy(0, index, solver.Factor(part, staticShift.index_select(0, index)));
            var done = solver.Factored!;
            (rho, delta, w) = (rho.index_copy(0, index, done.Rho), delta.index_copy(0, index, done.Delta), w.index_copy(0, index, done.W));
        }
        Factored = new KktParameters(rho, delta, w);
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        var result = new KktVector(empty_like(rhs.X), empty_like(rhs.Y), empty_like(rhs.Z));
        foreach (var (index, solver) in _parts)
        {
            var part = new KktVector(rhs.X.index_select(0, index), rhs.Y.index_select(0, index), rhs.Z.index_select(0, index));
            var d = solver.Solve(solver.Factored!, part, refinementSteps: 0);
            result = new KktVector(result.X.index_copy(0, index, d.X), result.Y.index_copy(0, index, d.Y), result.Z.index_copy(0, index, d.Z));
        }
        return result;
    }

    public override KktSolver Select(Tensor index, ScaledQp qp)
    {
        // For each selected item: its part and its position within that part.
        var owner = full(Qp.BatchSize, ScalarSafeOperations.MinusOne, ScalarType.Int64, index.device);
        var local = full(Qp.BatchSize, ScalarSafeOperations.MinusOne, ScalarType.Int64, index.device);
        for (int p = 0; p < _parts.Length; p++)
        {
            var partIndex = _parts[p].Index;
            owner = ScalarSafeOperations.With(p, s => owner.index_fill(0, partIndex, s));
            local = local.index_copy(0, partIndex, ScalarSafeOperations.Range(partIndex.size(0), ScalarType.Int64, index.device));
        }
        var selectedOwner = owner.index_select(0, index);
        var selectedLocal = local.index_select(0, index);
        var parts = new List<(Tensor, KktSolver)>();
        for (int p = 0; p < _parts.Length; p++)
        {
            var rows = selectedOwner.EqualTo(p).nonzero().squeeze(-1);
            if (rows.size(0) == 0) continue;
            parts.Add((rows, _parts[p].Solver.Select(selectedLocal.index_select(0, rows), qp.Select(rows))));
        }
        return new PartitionedKktSolver(qp, parts);
    }

    public override IEnumerable<Tensor> Tensors()
    {
        foreach (var (index, solver) in _parts)
        {
            yield return index;
            foreach (var t in solver.Tensors().Concat(solver.Qp.Tensors())) yield return t;
        }
        if (Factored is not null) { yield return Factored.Rho; yield return Factored.Delta; yield return Factored.W; }
    }
}
