namespace DiffOpt.Cones;

/// <summary>
/// The linear algebra of one item's homogeneous interior-point iteration on the CPU: factorise K = [P̂, Âᵀ; Â, −Hs]
/// at the cones' current scalings, then solve K[Δx; Δz] = [top; bottom] refined against K. Dense
/// (<see cref="ItemKkt"/>, reduced form) or sparse (<see cref="SparseItemKkt"/>, full quasi-definite form).
/// </summary>
internal interface IItemKkt
{
    /// <summary>Assembles and factorises K for <paramref name="data"/> with the cones' current scalings; false when it is not finite.</summary>
    bool Factor(ItemProgram data);

    /// <summary>(Δx, Δz) with K[Δx; Δz] = [top; bottom], refined; false when the solution is not finite.</summary>
    bool Solve(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, Span<double> dx, Span<double> dz);

    /// <summary>Forgets the state of the previous item (the solver is reused for another item of the same shape).</summary>
    void Reset();

    /// <summary>Whether the item's dense products (with Â and P̂) go through BLAS (<see cref="DenseProducts"/>).</summary>
    bool Native { get; }
}
