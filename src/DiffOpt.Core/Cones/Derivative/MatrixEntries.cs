using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// A fixed set of entries (Rows[k], Columns[k]) of a data matrix (A or P) shared by every item of a batch: where a
/// sparse matrix can be nonzero. The adjoint then returns the gradient at these entries only, (B, k) or (k) when the
/// matrix is shared, instead of a dense (B, rows, columns) gradient whose other entries nobody reads.
/// </summary>
/// <param name="Rows">Row index of each entry, int64 (k), on the data's device.</param>
/// <param name="Columns">Column index of each entry, int64 (k), on the data's device.</param>
internal sealed record MatrixEntries(Tensor Rows, Tensor Columns);
