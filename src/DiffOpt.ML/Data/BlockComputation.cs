namespace DiffOpt.ML.Data;

/// <summary>
/// The values of a mapper's appended columns computed for a block of rows at once (one batched network pass or
/// QP solve instead of one per row). Rows are read one at a time into numbered slots, the block is computed,
/// then getters read the slot of the current row. One instance serves one cursor or one row.
/// </summary>
internal abstract class BlockComputation
{
    /// <summary>Reads the inputs of the source row the computation was created over into <paramref name="slot"/>.</summary>
    public abstract void ReadRow(int slot);

    /// <summary>Computes the outputs of slots 0 … <paramref name="count"/> − 1.</summary>
    public abstract void Compute(int count);

    /// <summary>
    /// Creates the getters of the appended columns (null for inactive ones); each calls <paramref name="slot"/>,
    /// which makes sure the current row's block is computed and returns the row's slot.
    /// </summary>
    public abstract Delegate?[] CreateGetters(Func<int> slot, bool[] active);
}
