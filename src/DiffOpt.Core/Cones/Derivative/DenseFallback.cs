using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The dense LU (<see cref="RefinedBatchSolver"/>, least squares where J is singular) for the items a faster derivative
/// solver cannot serve, built on demand for a set of items and kept while the next solve needs the same set.
/// </summary>
/// <param name="factory">Builds the dense solver of the given items (in their order).</param>
internal sealed class DenseFallback(Func<long[], RefinedBatchSolver> factory)
{
    private (string Key, RefinedBatchSolver Solver)? _cached;

    /// <summary>The dense solver of <paramref name="items"/> (ascending item indices).</summary>
    public RefinedBatchSolver For(long[] items)
    {
        var key = string.Join(",", items);
        if (_cached?.Key != key) _cached = (key, factory(items));
        return _cached.Value.Solver;
    }

    /// <summary>
    /// The results of the items flagged in <paramref name="failed"/> replaced by the dense solver's for the same rows of
    /// <paramref name="r"/>; <paramref name="singular"/> gets the dense solver's flags for them.
    /// </summary>
    public (Tensor Solution, Tensor Residual) Merge(Tensor r, bool transpose, bool[] failed, Tensor solution, Tensor residual, ref Tensor singular)
    {
        var items = Enumerable.Range(0, failed.Length).Where(i => failed[i]).Select(i => (long)i).ToArray();
        if (items.Length == 0) return (solution, residual);
        var index = tensor(items, device: r.device);
        var dense = For(items);
        var (denseSolution, denseResidual) = dense.Solve(r.index_select(0, index), transpose);
        singular = singular.index_copy(0, index, dense.Singular);
        return (solution.index_copy(0, index, denseSolution), residual.index_copy(0, index, denseResidual));
    }
}
