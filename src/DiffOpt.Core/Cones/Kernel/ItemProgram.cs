using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// One batch item's data for the CPU kernel, float64 copies: the original program (A, b, c, P) and its Ruiz
/// equilibration (Â, b̂, ĉ, P̂, D, E, σ; <see cref="ConeEquilibration"/>). On the dense KKT path A and Â are m × n
/// row-major; on the sparse one they are held only by their nonzeros (<see cref="SparseA"/>, <see cref="ScaledSparseA"/>,
/// the pattern shared by the batch) and <see cref="A"/> and <see cref="ScaledA"/> are null, so that the equilibration's
/// sweeps, the iteration's products and the stopping tests cost the nonzeros. On the dense path P and P̂ are n × n
/// (null when P = 0); on the sparse one they are null and <see cref="SparseP"/> and <see cref="ScaledSparseP"/> hold
/// them by the support of <see cref="SparseKktPattern.PSupport"/> (null when P = 0). When A and P are shared by the batch
/// (<see cref="Batch"/>), A, P, Â, D and E are the batch's arrays, read by every item and never written.
/// </summary>
internal sealed record ItemProgram(int Rows, int Variables, double[]? A, double[] B, double[] C, double[]? P,
    double[]? ScaledA, double[] ScaledB, double[] ScaledC, double[]? ScaledP, double[] D, double[] E, double CostScale,
    CompressedRows? SparseA = null, CompressedRows? SparseP = null, CompressedRows? ScaledSparseA = null,
    CompressedRows? ScaledSparseP = null, BatchEquilibration? Batch = null)
{
    /// <summary>
    /// Whether <paramref name="matrix"/> is one of the batch's shared matrices (A, P or Â), which no item writes: what a
    /// consumer derived from it for one item (a row split, |Â|) holds for the next item reading the same array.
    /// </summary>
    public bool IsShared(double[] matrix) => Batch is not null && Batch.Holds(matrix);

    /// <summary>
    /// Whether what a consumer derived from <paramref name="bound"/> (the matrix it read last) holds for this item's
    /// <paramref name="matrix"/>: the same array, and one of the batch's shared matrices (<see cref="IsShared"/>), so
    /// that no item has written it since.
    /// </summary>
    public bool Reuses(double[]? bound, double[] matrix) => ReferenceEquals(bound, matrix) && IsShared(matrix);

    /// <summary>Â, m × n row-major, on the dense path.</summary>
    /// <exception cref="InvalidOperationException">The item holds Â by its nonzeros only.</exception>
    public double[] DenseScaledA => ScaledA ?? throw new InvalidOperationException("Â is held by its nonzeros (sparse KKT path).");
}
