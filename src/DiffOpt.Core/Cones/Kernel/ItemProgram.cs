using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// One batch item's data for the CPU kernel, float64 copies: the original program (A, b, c, P) and its Ruiz
/// equilibration (Â, b̂, ĉ, P̂, D, E, σ; <see cref="ConeEquilibration"/>). A and Â are m × n row-major, P and P̂ n × n
/// (null when P = 0). On the sparse KKT path, <see cref="SparseA"/> and <see cref="SparseP"/> hold the nonzeros of A and P,
/// so that the equilibration's sweeps and the stopping tests' products cost the nonzeros.
/// </summary>
internal sealed record ItemProgram(int Rows, int Variables, double[] A, double[] B, double[] C, double[]? P,
    double[] ScaledA, double[] ScaledB, double[] ScaledC, double[]? ScaledP, double[] D, double[] E, double CostScale,
    CompressedRows? SparseA = null, CompressedRows? SparseP = null);
